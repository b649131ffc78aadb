#!/usr/bin/env python3
# Times `cfggen import` of every app of the corpus as tests/cli/corpus.rs
# runs it: each whole repository app by app (its APPS.md order) into one
# repository made by `cfggen init`, each import written.
# Usage: import_corpus.py <cfggen binary> <tests/fixtures/import>
import os, subprocess, sys, tempfile, time, statistics
cfggen, corpus = sys.argv[1], sys.argv[2]
def files_in(d):
    try: return sorted(os.path.join(d,f) for f in os.listdir(d) if f.endswith(('.yaml','.yml')) and os.path.isfile(os.path.join(d,f)))
    except FileNotFoundError: return []
def apps_of(repo):
    apps=[]
    for line in open(os.path.join(repo,'APPS.md')):
        if not line.startswith('| ') or line.startswith('| app ') or line.startswith('| ---'): continue
        cells=[c.strip() for c in line.split('|')]
        app,ns,folder=cells[1],cells[2],cells[3]
        if app=='argocd': app='argocd-app'
        files=files_in(os.path.join(repo,folder))
        same=[a for a in apps if a[1]==app and a[2]==ns]
        if same: same[0][3].extend(files); continue
        # Another app of the name in another namespace (a cluster-scoped one's is `cluster`).
        name=f"{app}-{'cluster' if ns.startswith('(') else ns}" if any(a[1]==app for a in apps) else app
        apps.append((name,app,ns,files))
    return [(a,f) for a,_,_,f in apps if f]
times=[]
for name in sorted(os.listdir(os.path.join(corpus,'repos'))):
    repo=os.path.join(corpus,'repos',name)
    tmp=tempfile.mkdtemp()
    subprocess.run([cfggen,'init',tmp+'/r'],capture_output=True,check=True)
    with open(tmp+'/r/environments/dev.yaml','a') as f:
        f.write('onepassword:\n  vault: kubernetes-home-ops\n  store: {name: onepassword, provider: onepassword}\n')
    for app,files in apps_of(repo):
        t=time.perf_counter()
        subprocess.run([cfggen,'--root',tmp+'/r','import','dev',*files,'--app',app],capture_output=True)
        times.append((time.perf_counter()-t, name, app))
ts=[t for t,_,_ in times]
print(f'{len(ts)} imports: total {sum(ts):.2f} s, mean {statistics.mean(ts)*1000:.0f} ms, median {statistics.median(ts)*1000:.0f} ms, slowest {max(ts)*1000:.0f} ms ({max(times)[1]}/{max(times)[2]})')
