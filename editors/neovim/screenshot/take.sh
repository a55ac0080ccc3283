#!/usr/bin/env bash
# Screenshot of chant.nvim's spec picker (:ChantSpecs) for docs/editors.md.
#
# Headless Neovim draws no screen, so this runs a real Neovim in a terminal
# (tmux, 110x32, truecolor), on a copy of editors/test-fixtures/demo, opens a
# spec, runs :ChantSpecs, captures the pane with its colours
# (`tmux capture-pane -e -p`), renders the capture as HTML
# (editors/neovim/screenshot/ansi2html.py, one fixed-width cell per
# character) and has headless Chromium screenshot that page. The picker is
# Neovim's own vim.ui.select (no picker plugin installed): what a user
# without one sees.
#
#   editors/neovim/screenshot/take.sh OUT.png
#
# Needs: tmux, nvim 0.11, chromium, CHANT_LSP (default target/debug/chant-lsp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$(realpath -m "${1:?usage: take.sh OUT.png}")
server=${CHANT_LSP:-$repo/target/debug/chant-lsp}
nvim=${CHANT_NVIM:-nvim}
tmp=$(mktemp -d)
sock=$tmp/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

cp -R "$repo/editors/test-fixtures/demo" "$tmp/demo"
(cd "$tmp/demo" && git init -q -b main && git add -A && git -c user.name=Demo -c user.email=demo@example.com commit -qm demo)
cat >"$tmp/init.lua" <<EOF
vim.opt.runtimepath:prepend('$repo/editors/neovim')
vim.o.termguicolors = true
vim.o.swapfile = false
vim.o.laststatus = 2
vim.o.cmdheight = 1
vim.cmd('filetype on')
vim.cmd('syntax on')
require('chant').setup({ cmd = { '$server' } })
EOF
export XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data
tmux -S "$sock" new-session -d -x 110 -y 32 -e COLORTERM=truecolor -e TERM=tmux-256color \
    "cd $tmp/demo && $nvim -u $tmp/init.lua -i NONE .chant/specs/2026-11-20-001-abc.md"
capture() { tmux -S "$sock" capture-pane -p -t 0 "$@"; }
# The server has answered once the diagnostics sign shows.
for _ in $(seq 100); do
    capture | grep -q "Cache parsed specs" && break
    sleep 0.1
done
sleep 2
tmux -S "$sock" send-keys -t 0 ':ChantSpecs' Enter
for _ in $(seq 100); do
    capture | grep -q "chant specs" && break
    sleep 0.1
done
sleep 0.5
capture -e >"$tmp/capture.ansi"
capture >"$tmp/capture.txt"
python3 "$here/ansi2html.py" "$tmp/capture.ansi" >"$tmp/page.html"
${CHANT_CHROMIUM:-chromium} --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1010,690 --screenshot="$out" "file://$tmp/page.html" >/dev/null 2>&1
cat "$tmp/capture.txt"
echo "wrote $out" >&2
