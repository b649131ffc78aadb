// Checks each CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy in the
// YAML files given against the validators @kubernetes-models/cilium makes
// from Cilium's own CRDs (types, enums, patterns, required fields). Exit 1
// when one fails, or when a file holds neither kind.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy";
import { CiliumClusterwideNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy";

const kinds = { CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy };
let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = doc.toJS();
    const Kind = kinds[object?.kind];
    if (!Kind || object.apiVersion !== "cilium.io/v2") {
      console.error(`${file}: not a cilium.io/v2 policy (${object?.apiVersion} ${object?.kind})`);
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
console.log(`${checked} Cilium policies valid, ${failed} failed`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
