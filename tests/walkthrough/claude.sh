#!/bin/sh
if [ "$1" = "--version" ]; then echo "2.0.0 (Claude Code)"; exit 0; fi
for last in "$@"; do :; done
rel="${last#Read and execute the task in }"
id="$CHANT_SPEC_ID"
root="$(dirname "$(dirname "$(dirname "$CHANT_SPEC_FILE")")")"
prompt="$root/$rel"
[ -f "$prompt" ] || prompt="$rel"
mkdir -p "$AGENT_DIR/prompts"
cp "$prompt" "$AGENT_DIR/prompts/$id.md" 2>/dev/null
echo "$id" >> "$AGENT_DIR/runs"
say() { printf '{"type":"assistant","message":{"content":[{"type":"text","text":"%s"}]}}\n' "$1"; }
mode=ok
[ -f "$AGENT_DIR/mode" ] && mode=$(cat "$AGENT_DIR/mode")
[ -f "$AGENT_DIR/mode-$id" ] && mode=$(cat "$AGENT_DIR/mode-$id")
if grep -q -e 'TASK: verify' -e '^# Verify Acceptance Criteria' "$prompt"; then
  say "## Verification Summary"
  grep -E '^- \[[ xX]\] ' "$CHANT_SPEC_FILE" | sed -E 's/^- \[[ xX]\] //' | while read -r c; do
    say "- [x] $c: PASS"
  done
  say "Overall status: PASS"
  exit 0
fi
if grep -q -e 'TASK: split' -e '^# Split Driver Specification' "$prompt"; then
  for n in 1 2; do
    say "## Member $n: Part $n of $id"
    say ""
    say "This member covers part $n of the work. It changes the greeting module so that the output reads well for every user, keeps the existing behaviour of the command line, documents the new option in the README, and adds a test for the new case. The change is small, self-contained and can be reviewed on its own."
    say ""
    say "### Acceptance Criteria"
    say ""
    say "- [ ] part $n prints the greeting"
    say "- [ ] part $n has a test"
    say ""
    say "**Affected Files:**"
    say "- part$n.txt"
    say ""
  done
  exit 0
fi
say "agent: working on $id"
case "$mode" in
  fail) say "agent: giving up"; echo "agent: failing on purpose" >&2; exit 1 ;;
  hang) say "agent: hanging"; exec sleep 100000 ;;
esac
if [ -d "$AGENT_DIR/write-$id" ] || [ -f "$AGENT_DIR/delete-$id" ]; then
  if [ -d "$AGENT_DIR/write-$id" ]; then
    cp -R "$AGENT_DIR/write-$id/." .
    (cd "$AGENT_DIR/write-$id" && find . -type f) | while read -r f; do git add -- "$f"; done
  fi
  if [ -f "$AGENT_DIR/delete-$id" ]; then
    while read -r f; do git rm -q -- "$f"; done < "$AGENT_DIR/delete-$id"
  fi
else
  echo "work of $id" > "done-$id.txt"
  git add -- "done-$id.txt"
fi
# What chant's prompt tells an agent (standard.md, step 8): check off each
# acceptance criterion in the spec it names, relative to the agent's folder
# (the worktree): `.chant/specs/<id>.md` unless the prompt names another.
spec=$(sed -n 's/.*[Cc]heck off .* in `\([^`]*\)`.*/\1/p' "$prompt" | head -1)
[ -n "$spec" ] || spec=".chant/specs/$id.md"
if [ -f "$spec" ]; then
  sed -i 's/- \[ \]/- [x]/g' "$spec"
  git add -- "$spec"
fi
# "Verify git status is clean": an agent that takes it literally commits
# everything, the other specs chant removed from the worktree included.
[ "$mode" = commit-all ] && git add -A
git commit -q -m "chant($id): agent work"
say "agent: done with $id"
exit 0
