// Checks each Cilium object in the YAML files given (network policies,
// load-balancer IP pools, L2 announcement policies, the BGP control
// plane's cluster configs, peer configs and advertisements) against the validators
// @kubernetes-models/cilium makes from Cilium's own CRDs (types, enums,
// patterns, required fields). Exit 1 when one fails, or when a file holds
// none of those kinds.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy";
import { CiliumClusterwideNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy";
import { CiliumLoadBalancerIPPool } from "@kubernetes-models/cilium/cilium.io/v2/CiliumLoadBalancerIPPool";
import { CiliumLoadBalancerIPPool as PoolV2alpha1 } from "@kubernetes-models/cilium/cilium.io/v2alpha1/CiliumLoadBalancerIPPool";
import { CiliumL2AnnouncementPolicy } from "@kubernetes-models/cilium/cilium.io/v2alpha1/CiliumL2AnnouncementPolicy";
import { CiliumBGPClusterConfig } from "@kubernetes-models/cilium/cilium.io/v2/CiliumBGPClusterConfig";
import { CiliumBGPPeerConfig } from "@kubernetes-models/cilium/cilium.io/v2/CiliumBGPPeerConfig";
import { CiliumBGPAdvertisement } from "@kubernetes-models/cilium/cilium.io/v2/CiliumBGPAdvertisement";

// By apiVersion and kind.
const kinds = {
  "cilium.io/v2 CiliumNetworkPolicy": CiliumNetworkPolicy,
  "cilium.io/v2 CiliumClusterwideNetworkPolicy": CiliumClusterwideNetworkPolicy,
  "cilium.io/v2 CiliumLoadBalancerIPPool": CiliumLoadBalancerIPPool,
  "cilium.io/v2alpha1 CiliumLoadBalancerIPPool": PoolV2alpha1,
  "cilium.io/v2alpha1 CiliumL2AnnouncementPolicy": CiliumL2AnnouncementPolicy,
  "cilium.io/v2 CiliumBGPClusterConfig": CiliumBGPClusterConfig,
  "cilium.io/v2 CiliumBGPPeerConfig": CiliumBGPPeerConfig,
  "cilium.io/v2 CiliumBGPAdvertisement": CiliumBGPAdvertisement,
};
let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = doc.toJS();
    const Kind = kinds[`${object?.apiVersion} ${object?.kind}`];
    if (!Kind) {
      console.error(`${file}: not a Cilium kind these validators know (${object?.apiVersion} ${object?.kind})`);
      failed++;
      continue;
    }
    try {
      new Kind(object).validate();
      checked++;
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`${checked} Cilium objects valid, ${failed} failed`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
