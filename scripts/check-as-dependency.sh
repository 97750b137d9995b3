#!/usr/bin/env bash
# Uses retrieval-gate as another project would before it is published, and runs the steps of
# examples/github-actions.yml there: pack this checkout, vendor the tarball into a scratch git project whose
# origin/main holds a baseline, `npm ci`, then the workflow's `npx retrieval-gate run … --gate … --baseline
# git:origin/main:…`. Needs the npm registry (or its cache) for the tool's dependencies; ~20 s.
#   scripts/check-as-dependency.sh [scratch-dir]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d)}
project="$scratch/project"
step() { printf '\n== %s\n' "$*"; }

step "npm pack (prepack builds dist/)"
tarball=$(cd "$repo" && npm pack --silent --pack-destination "$scratch" | tail -n 1)

step "a project that vendors the tarball, pinned by the lockfile's integrity"
mkdir -p "$project/vendor"
cp "$scratch/$tarball" "$project/vendor/"
cp "$repo/retrieval-gate.yaml" "$project/"
cp -R "$repo/datasets" "$repo/gates" "$project/"
cd "$project"
printf '{ "name": "scratch", "private": true }\n' >package.json
npm install --save-dev --no-audit --no-fund "./vendor/$tarball"
git init --quiet --initial-branch main
git -c user.name=check -c user.email=check@example.invalid add -A
git -c user.name=check -c user.email=check@example.invalid commit --quiet -m "project"

step "the baseline on main, as the workflow's header says"
rm -rf node_modules && npm ci --no-audit --no-fund
npx retrieval-gate run --config retrieval-gate.yaml --run-id main --quiet --no-report >/dev/null
npx retrieval-gate baseline save --from reports/main --to gates/baselines/main.json
git -c user.name=check -c user.email=check@example.invalid add gates/baselines/main.json
git -c user.name=check -c user.email=check@example.invalid commit --quiet -m "baseline"
# What actions/checkout with fetch-depth 0 leaves: the target branch as origin/main.
git clone --quiet --bare . "$scratch/origin.git"
git remote add origin "$scratch/origin.git" && git fetch --quiet origin

step "the workflow's steps: npm ci, then run and gate against git:origin/main"
rm -rf node_modules && npm ci --no-audit --no-fund
npx retrieval-gate run \
  --config retrieval-gate.yaml \
  --gate gates/default.yaml \
  --baseline git:origin/main:gates/baselines/main.json \
  --run-id pr-1 --quiet --no-report
ls reports/pr-1/gate.md reports/pr-1/gate.junit.xml reports/pr-1/gate.json
step "ok: $project"
