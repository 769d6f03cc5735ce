#!/usr/bin/env bash
# Checks the GitHub Actions workflows: yamllint (Debian package yamllint) for
# YAML syntax and style, then action-validator (npm @action-validator/cli,
# installed by `npm ci --prefix installer/check`) against GitHub's workflow
# schema. Both must be present: a missing checker fails the check.
set -euo pipefail
cd "$(dirname "$0")/../.."

validator=installer/check/node_modules/.bin/action-validator
command -v yamllint > /dev/null || { echo "yamllint is missing: scripts/setup-debian.sh --tests" >&2; exit 1; }
[ -x "$validator" ] || { echo "action-validator is missing: npm ci --prefix installer/check" >&2; exit 1; }

shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
[ "${#files[@]}" -gt 0 ] || { echo "no workflow files under .github/workflows" >&2; exit 1; }

echo "yamllint $(yamllint --version | cut -d' ' -f2):"
yamllint --strict -c installer/check/yamllint.yml "${files[@]}"
echo "action-validator $(node -p "require('./installer/check/node_modules/@action-validator/cli/package.json').version"):"
for file in "${files[@]}"; do
    "$validator" "$file"
done
echo "workflows valid: ${files[*]}"
