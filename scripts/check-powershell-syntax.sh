#!/usr/bin/env bash
# Parses every PowerShell file in scripts/windows/ with the tree-sitter PowerShell grammar and fails
# on any syntax error it finds. There is no PowerShell on Linux machines here; this grammar is the
# closest stand-in, stricter than check-windows-files.py's bracket count but still not PowerShell's
# own parser: a file that passes can still fail on Windows, and the grammar may reject a rare
# construct that PowerShell accepts.
#
#   scripts/check-powershell-syntax.sh
#
# Needs node and npm (Debian: apt-get install nodejs npm); installs the two pinned npm packages it
# uses (web-tree-sitter, tree-sitter-powershell, which ships the grammar as WebAssembly) into a cache
# folder on first use. With CI=true a missing node or npm is a failure; otherwise the check is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

WEB_TREE_SITTER=0.27.2
GRAMMAR=0.26.4
cache=${XDG_CACHE_HOME:-$HOME/.cache}/resmap/powershell-grammar-$GRAMMAR

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        if [ "${CI:-}" = "true" ]; then
            echo "check-powershell-syntax: $tool is missing (apt-get install nodejs npm)" >&2
            exit 1
        fi
        echo "check-powershell-syntax: SKIPPED, $tool is missing (apt-get install nodejs npm)"
        exit 0
    fi
done

if [ ! -f "$cache/node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm" ]; then
    mkdir -p "$cache"
    (cd "$cache" && npm init -y >/dev/null &&
        npm install --silent --no-audit --no-fund --ignore-scripts \
            "web-tree-sitter@$WEB_TREE_SITTER" "tree-sitter-powershell@$GRAMMAR")
fi

cat > "$cache/parse.cjs" <<'EOF'
// Prints "ok" or the syntax errors of each file given; exits 1 if any file has one.
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');
const path = require('path');

(async () => {
  await Parser.init();
  const grammar = path.join(__dirname, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(grammar));
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const errors = [];
    const visit = (node) => {
      if (node.type === 'ERROR' || node.isMissing) {
        const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
        const text = node.text.split('\n')[0].slice(0, 60);
        errors.push(`${where} ${node.isMissing ? 'missing ' + node.type : 'cannot parse'}: ${text}`);
        return;
      }
      node.children.forEach(visit);
    };
    visit(parser.parse(fs.readFileSync(file, 'utf8')).rootNode);
    console.log(`${errors.length ? 'FAIL' : 'ok  '} ${file}`);
    errors.forEach((e) => console.log(`       ${e}`));
    if (errors.length) failed++;
  }
  console.log(`powershell-syntax: ${process.argv.length - 2 - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
EOF

node "$cache/parse.cjs" scripts/windows/*.ps1 scripts/windows/*.psm1
