-- chant's "Complete Walkthrough" (triage, reproduce, research, implement,
-- review), end to end through Neovim's user commands as a user types them,
-- on the REAL chant with the scripted agent that does what chant's prompt
-- says (it ticks the criteria in its spec and commits). The same journey as
-- tests/e2e_seed.rs over JSON-RPC:
--   :ChantAdd for each of the five specs (the walkthrough's title, type and
--   labels, answered to its vim.ui prompts), the buffer edited to the
--   walkthrough's text and written; the editor's fixes through
--   vim.lsp.buf.code_action ("Change to `pending`", "Create prompt `triage`
--   (.chant/prompts/triage.md)"...); :ChantWork PROMPT for each phase;
--   :ChantApplyChanges on the research and the hover preview of what it
--   brought where the fix links it; :ChantApprove NAME on the completed fix
--   after its review; :ChantMergeAll (chant stops on its own bookkeeping in
--   each spec, the editor merges it itself); :ChantArchiveLabel issue-1234.
-- Every spec archived, every file the agents wrote on the main branch,
-- nothing lost, no conflict left. Each step waits for the run's progress to
-- end and the server to be idle.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

--- One phase: the spec the user adds and what its agent writes.
local PHASES = {
  {
    title = 'Triage issue #1234: Data lost on concurrent writes',
    type = 'task',
    labels = { 'triage', 'issue-1234' },
    prompt = 'triage',
    head = 'target_files:\n  - .chant/triage/issue-1234.md\n',
    body = '## Issue Summary\n\nUser reports data loss/corruption when writing to same key from multiple\n'
      .. 'terminals simultaneously. Describes truncated data ("valu" instead of\n"value1") and empty results.\n\n'
      .. '## Acceptance Criteria\n\n- [ ] Issue categorized\n- [ ] Priority assigned\n'
      .. '- [ ] Missing information identified\n- [ ] Recommendation provided\n',
    output = { ['.chant/triage/issue-1234.md'] = '# Triage: Issue #1234\n\n## Recommendation\n\n**needs-reproduction**\n' },
  },
  {
    title = 'Reproduce issue #1234: Concurrent write data loss',
    type = 'task',
    labels = { 'reproduction', 'issue-1234' },
    prompt = 'reproduce',
    head = 'informed_by:\n  - .chant/specs/{triage}.md\n  - .chant/triage/issue-1234.md\n'
      .. 'target_files:\n  - tests/regression/issue_1234_test.rs\n',
    body = '## Context\n\nTriage confirmed this is a bug with clear reproduction steps.\n'
      .. 'Need to create a failing test before research.\n\n## Acceptance Criteria\n\n'
      .. '- [ ] Minimal test case demonstrates the bug\n- [ ] Test fails consistently\n'
      .. '- [ ] Test is self-contained\n- [ ] Environment documented in comments\n',
    output = {
      ['tests/regression/issue_1234_test.rs'] = '//! Regression test for issue #1234\n\n#[test]\n'
        .. 'fn issue_1234_concurrent_write_causes_data_loss() {}\n',
    },
  },
  {
    title = 'Research root cause: issue #1234 concurrent write data loss',
    type = 'task',
    labels = { 'research', 'issue-1234' },
    prompt = 'research',
    head = 'informed_by:\n  - .chant/specs/{reproduce}.md\n  - tests/regression/issue_1234_test.rs\n'
      .. '  - docs/architecture/storage.md\n  - src/storage/store.rs\n  - src/storage/persist.rs\n'
      .. 'target_files:\n  - .chant/research/issue-1234-rca.md\n',
    body = '## Context\n\nReproduction test confirms data corruption during concurrent writes.\n'
      .. 'Need to understand why before fixing.\n\n## Research Questions\n\n'
      .. '- [ ] Where exactly does corruption occur?\n- [ ] What synchronization exists currently?\n'
      .. '- [ ] Why does it fail under concurrency?\n- [ ] What are the fix options?\n\n'
      .. '## Acceptance Criteria\n\n- [ ] Root cause identified with code references\n'
      .. '- [ ] Multiple approaches evaluated\n- [ ] Recommended approach justified\n- [ ] Edge cases documented\n',
    output = {
      ['.chant/research/issue-1234-rca.md'] = '# Root Cause Analysis: Issue #1234\n\n## Recommendation\n\n'
        .. '**Approach 2: Write-then-Rename**\n',
    },
  },
  {
    title = 'Fix issue #1234: Atomic writes for concurrent access',
    type = 'code',
    labels = { 'fix', 'issue-1234' },
    prompt = 'implement',
    head = 'informed_by:\n  - .chant/specs/{research}.md\n  - .chant/research/issue-1234-rca.md\n'
      .. 'target_files:\n  - src/storage/persist.rs\n  - src/storage/store.rs\n  - tests/regression/issue_1234_test.rs\n',
    body = '## Context\n\nResearch recommends write-then-rename with per-key locking.\n'
      .. 'See `.chant/research/issue-1234-rca.md`.\n\n## Acceptance Criteria\n\n'
      .. '- [ ] Atomic write-then-rename implemented\n- [ ] Per-key in-memory locking added\n'
      .. '- [ ] Reproduction test passes\n- [ ] Edge cases handled (cleanup, permissions)\n'
      .. '- [ ] All existing tests pass\n- [ ] Release notes added\n\n## Release Notes\n\n'
      .. '<!-- To be filled after implementation -->\n',
    output = {
      ['src/storage/persist.rs'] = 'pub fn persist() {\n    // write to a temporary file, then rename it\n}\n',
      ['src/storage/store.rs'] = 'pub struct Store;\n// per-key locks\n',
    },
  },
  {
    title = 'Review fix for issue #1234',
    type = 'task',
    labels = { 'review', 'issue-1234' },
    prompt = 'review',
    head = 'informed_by:\n  - .chant/specs/{reproduce}.md\n  - .chant/specs/{implement}.md\n'
      .. '  - tests/regression/issue_1234_test.rs\ntarget_files:\n  - .chant/reviews/issue-1234-review.md\n',
    body = '## Acceptance Criteria\n\n- [ ] Reproduction test passes\n- [ ] All tests pass\n'
      .. '- [ ] Code follows research recommendation\n- [ ] Edge cases handled\n- [ ] Documentation adequate\n',
    output = { ['.chant/reviews/issue-1234-review.md'] = '# Review: Issue #1234 Fix\n\n**Verdict: APPROVED**\n' },
  },
}
local RCA = '.chant/research/issue-1234-rca.md'
local IMPLEMENT, RESEARCH = 4, 3

H.project()
-- The code and docs the walkthrough's specs name, committed; the prompts
-- the walkthrough uses are none of the project's (chant ships none of them).
H.write(H.root .. '/docs/architecture/storage.md', '# Storage\n\nOne file per key.\n')
H.write(H.root .. '/src/storage/store.rs', 'pub struct Store;\n')
H.write(H.root .. '/src/storage/persist.rs', 'pub fn persist() {}\n')
H.sh({ 'git', 'rm', '-q', '.chant/prompts/research.md' }, H.root)
H.sh({ 'git', 'add', '-A' }, H.root)
H.sh({ 'git', 'commit', '-q', '-m', 'storage' }, H.root)
-- The agent of each phase writes the phase's output.
for _, phase in ipairs(PHASES) do
  phase.write = vim.fn.tempname()
  for rel, text in pairs(phase.output) do
    H.write(phase.write .. '/' .. rel, text)
  end
end
H.setup({ commands = { enabled = true, timeoutSeconds = 120 } })
-- The user starts Neovim in the project.
vim.cmd.cd(vim.fn.fnameescape(H.root))

local client
local ids, bufs = {}, {}
--- The text of each prompt the "Create prompt" quick fix creates, by name.
local templates = {}

local function spec_rel(id)
  return '.chant/specs/' .. id .. '.md'
end

local function git(...)
  return vim.trim(H.sh(vim.list_extend({ 'git' }, { ... }), H.root))
end

--- Runs the Ex command `cmd` and waits for the chant run it starts to end
--- and the server to be idle. Returns chant's calls meanwhile and the
--- message that ended the run's progress.
local function run(cmd)
  local calls = #H.chant_calls()
  local from = #H.progress + 1
  local notes = #H.notes
  local token
  vim.cmd(cmd)
  H.wait(':' .. cmd .. ' to start a run', function()
    for i = from, #H.progress do
      if H.progress[i].kind == 'begin' then
        token = H.progress[i].token
        return true
      end
    end
    for i = notes + 1, #H.notes do
      if H.notes[i].level == vim.log.levels.ERROR then
        H.fail(':' .. cmd .. ' was refused: ' .. H.notes[i].msg)
      end
    end
  end, 30000)
  H.runs_finished(client)
  local ended
  for i = from, #H.progress do
    if H.progress[i].token == token and H.progress[i].kind == 'end' then
      ended = H.progress[i].message
    end
  end
  return vim.list_slice(H.chant_calls(), calls + 1), ended
end

--- The 1-based line of `buf` that holds `needle`.
local function line_of(buf, needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find(needle, 1, true) then
      return i
    end
  end
  H.fail(('no line holds %q in:\n%s'):format(needle, H.text(buf)))
end

--- Waits until the server's diagnostics are for the buffer as it is now,
--- and returns their codes, sorted (hints left out: chant's quality hints
--- come and go with the text).
local function codes(buf)
  local uri = vim.uri_from_bufnr(buf)
  H.idle(client)
  H.wait('diagnostics of ' .. uri .. ' for version ' .. vim.lsp.util.buf_versions[buf], function()
    return H.published_version[uri] == vim.lsp.util.buf_versions[buf]
  end)
  local out = {}
  for _, d in ipairs(H.diagnostics(buf)) do
    if d[3] ~= vim.diagnostic.severity.HINT then
      out[#out + 1] = d[1]
    end
  end
  table.sort(out)
  return out
end

--- The spec as the walkthrough writes it, the earlier specs' IDs filled in.
local function seed_text(phase)
  local names = { 'triage', 'reproduce', 'research', 'implement', 'review' }
  local head = phase.head
  for i, id in ipairs(ids) do
    head = head:gsub('{' .. names[i] .. '}', id)
  end
  return ('---\ntype: %s\nstatus: ready\nprompt: %s\nlabels:\n  - %s\n  - %s\n%s---\n\n# %s\n\n%s'):format(
    phase.type, phase.prompt, phase.labels[1], phase.labels[2], head, phase.title, phase.body)
end

--- The quick fix titled `title` on the line holding `needle`, applied as a
--- user does: the cursor there, vim.lsp.buf.code_action filtered on the
--- exact title and applied. Waits for the spec buffer to change (or, with
--- `changes`, for that other condition).
local function quick_fix(buf, needle, title, changes)
  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_win_set_cursor(0, { line_of(buf, needle), 2 })
  local version = vim.lsp.util.buf_versions[buf]
  local notes = #H.notes
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(a)
      return a.title == title
    end,
  })
  H.wait(('the quick fix %q'):format(title), function()
    for i = notes + 1, #H.notes do
      if H.notes[i].msg:find('No code actions available', 1, true) then
        H.fail(('no code action %q on the line %q of\n%s'):format(title, needle, H.text(buf)))
      end
    end
    if changes then
      return changes()
    end
    return vim.lsp.util.buf_versions[buf] > version
  end)
end

local function today()
  return os.date('%Y-%m-%d')
end

H.run({
  { ':ChantAdd (from the empty buffer Neovim starts with) adds the five specs, each edited to the walkthrough\'s text and written', function()
    for i, phase in ipairs(PHASES) do
      local before = vim.api.nvim_get_current_buf()
      H.answer_input(phase.title)
      H.answer_select(phase.type, "(chant's default)")
      H.answer_input(table.concat(phase.labels, ', '))
      H.answer_select('No')
      local calls = run('ChantAdd')
      H.eq({ { 'add', '--', phase.title } }, calls, 'chant add')
      -- The server shows the new spec (the first time from the empty
      -- buffer Neovim starts with), and sets its type and labels (chant add
      -- has no flags for them).
      H.wait('the new spec shown', function()
        return vim.api.nvim_get_current_buf() ~= before and vim.api.nvim_buf_get_name(0):find('/%.chant/specs/[%w-]+%.md$')
      end)
      local buf = vim.api.nvim_get_current_buf()
      client = client or H.client(buf)
      H.eq(1, #vim.lsp.get_clients({ name = 'chant' }), 'one chant server for the project')
      H.wait('the type and labels in the new spec', function()
        local text = H.text(buf)
        return text:find('\ntype: ' .. phase.type .. '\n', 1, true)
          and text:find('\nlabels:\n- ' .. phase.labels[1] .. '\n- ' .. phase.labels[2] .. '\n', 1, true)
      end)
      H.runs_finished(client)
      ids[i] = vim.fs.basename(vim.api.nvim_buf_get_name(buf)):gsub('%.md$', '')
      bufs[i] = buf
      -- The user types the walkthrough's frontmatter and body, and writes.
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(seed_text(phase):gsub('\n$', ''), '\n'))
      vim.cmd('silent write')
      H.eq(seed_text(phase), H.read(H.root .. '/' .. spec_rel(ids[i])), 'the spec on disk')
      -- What this phase's agent writes.
      H.sh({ 'cp', '-R', phase.write, H.agent_dir .. '/write-' .. ids[i] })
    end
  end },

  { 'the editor flags `status: ready` and each missing prompt; its quick fixes change to pending and create the prompt', function()
    for i, phase in ipairs(PHASES) do
      local buf = bufs[i]
      local found = codes(buf)
      H.ok(vim.list_contains(found, 'chant/ready-status'), ids[i] .. ': ' .. vim.inspect(found))
      H.ok(vim.list_contains(found, 'chant/unknown-prompt'), ids[i] .. ': ' .. vim.inspect(found))
      quick_fix(buf, 'status: ready', 'Change to `pending`')
      H.eq('status: pending', vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1], 'the status line')
      vim.cmd('silent write')
      codes(buf)
      -- The prompt is created from its template and opened for editing: the
      -- buffer holds exactly the text the server gives the new file.
      local prompt = H.root .. '/.chant/prompts/' .. phase.prompt .. '.md'
      local title = ('Create prompt `%s` (.chant/prompts/%s.md)'):format(phase.prompt, phase.prompt)
      local at = { line = line_of(buf, 'prompt: ') - 1, character = 2 }
      local here = {}
      for _, d in ipairs(vim.diagnostic.get(buf, { lnum = at.line })) do
        here[#here + 1] = d.user_data and d.user_data.lsp
      end
      local offered = H.request(buf, 'textDocument/codeAction', {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        range = { start = at, ['end'] = at },
        context = { diagnostics = here, only = { 'quickfix' } },
      }) or {}
      templates[phase.prompt] = nil
      for _, a in ipairs(offered) do
        if a.title == title then
          templates[phase.prompt] = a.edit.documentChanges[2].edits[1].newText
        end
      end
      H.ok(templates[phase.prompt], title .. ' among ' .. vim.inspect(vim.tbl_map(function(a)
        return a.title
      end, offered)))
      local shown = #H.shown
      quick_fix(buf, 'prompt: ' .. phase.prompt, title, function()
        return #H.shown > shown and vim.api.nvim_buf_get_name(0) == prompt
      end)
      local template = H.text(vim.api.nvim_get_current_buf()) .. '\n'
      H.eq(templates[phase.prompt], template, 'the new prompt\'s buffer')
      H.ok(vim.startswith(template, '---\nname: ' .. phase.prompt .. '\npurpose: '), 'the prompt\'s frontmatter:\n' .. template)
      H.ok(template:find('{{spec.title}}', 1, true), 'the template fills the title:\n' .. template)
      -- Back to the spec: nothing left to fix there, and Work with the
      -- prompt is offered.
      vim.api.nvim_set_current_buf(buf)
      local left = codes(buf)
      H.ok(not vim.list_contains(left, 'chant/ready-status'), ids[i] .. ': ' .. vim.inspect(left))
      H.ok(not vim.list_contains(left, 'chant/unknown-prompt'), ids[i] .. ': ' .. vim.inspect(left))
      local titles = {}
      for _, a in ipairs(H.request(buf, 'textDocument/codeAction', {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
        context = { diagnostics = {} },
      }) or {}) do
        if not a.disabled then
          titles[#titles + 1] = a.title
        end
      end
      H.ok(vim.list_contains(titles, 'Work with prompt ' .. phase.prompt), 'offered: ' .. vim.inspect(titles))
    end
  end },

  { ':ChantWork PROMPT works triage, reproduce and research, each with its prompt', function()
    for i = 1, RESEARCH do
      vim.api.nvim_set_current_buf(bufs[i])
      local calls, ended = run('ChantWork ' .. PHASES[i].prompt)
      H.eq({ { 'work', ids[i], '--no-watch', '--prompt=' .. PHASES[i].prompt } }, calls, 'chant work')
      H.eq('completed', ended, 'how the run ended')
      -- The agent got the prompt the editor created (written before chant
      -- ran: chant reads it from disk), filled by chant.
      H.eq(templates[PHASES[i].prompt], H.read(H.root .. '/.chant/prompts/' .. PHASES[i].prompt .. '.md'), 'the prompt on disk')
      local given = H.read(H.agent_dir .. '/prompts/' .. ids[i] .. '.md') or ''
      H.ok(given:find(PHASES[i].title, 1, true), 'the prompt the agent got:\n' .. given)
      H.ok(not given:find('{{', 1, true), 'no template variable left:\n' .. given)
      H.wait('the buffer to show the completed spec', function()
        return H.text(bufs[i]):find('\nstatus: completed\n', 1, true)
      end)
    end
  end },

  { ':ChantApplyChanges brings the research in; hover previews it where the fix links it', function()
    vim.api.nvim_set_current_buf(bufs[RESEARCH])
    local messages = #H.messages
    vim.cmd('ChantApplyChanges')
    local path = H.root .. '/' .. RCA
    local seen
    vim.wait(30000, function()
      local b = vim.fn.bufnr(path)
      seen = b ~= -1 and vim.api.nvim_buf_is_loaded(b) and H.text(b) .. '\n' or nil
      return seen == PHASES[RESEARCH].output[RCA]
    end, 20)
    H.eq(PHASES[RESEARCH].output[RCA], seen, RCA .. ' in its buffer')
    H.wait('what the editor says of it', function()
      for i = messages + 1, #H.messages do
        if H.messages[i].message:find("Brought the agent's changes from chant/" .. ids[RESEARCH], 1, true) then
          return true
        end
      end
    end)
    -- "Review them, then save": the user writes what was brought in.
    vim.cmd('silent wall')
    H.eq(PHASES[RESEARCH].output[RCA], H.read(path), RCA .. ' on disk')
    local fix = bufs[IMPLEMENT]
    vim.api.nvim_set_current_buf(fix)
    local line = line_of(fix, '  - ' .. RCA) - 1
    local expected = '**Root Cause Analysis: Issue #1234**  \n`' .. RCA .. '`\n\n---\n\n## Recommendation\n\n'
      .. '**Approach 2: Write-then-Rename**'
    local value
    H.wait('the hover preview of ' .. RCA, function()
      local answers = vim.lsp.buf_request_sync(fix, 'textDocument/hover', {
        textDocument = { uri = vim.uri_from_bufnr(fix) },
        position = { line = line, character = 8 },
      }, H.timeout) or {}
      local answer = answers[client.id]
      value = answer and answer.result and answer.result.contents.value
      return value == expected
    end)
    H.eq(expected, value, 'the hover')
  end },

  { ':ChantWork implement, then :ChantWork review', function()
    for i = IMPLEMENT, #PHASES do
      vim.api.nvim_set_current_buf(bufs[i])
      local calls, ended = run('ChantWork ' .. PHASES[i].prompt)
      H.eq({ { 'work', ids[i], '--no-watch', '--prompt=' .. PHASES[i].prompt } }, calls, 'chant work')
      H.eq('completed', ended, 'how the run ended')
      local given = H.read(H.agent_dir .. '/prompts/' .. ids[i] .. '.md') or ''
      H.ok(given:find(PHASES[i].title, 1, true), 'the prompt the agent got:\n' .. given)
    end
  end },

  { ':ChantApprove NAME approves the completed fix after its review', function()
    vim.api.nvim_set_current_buf(bufs[IMPLEMENT])
    local calls, ended = run('ChantApprove maintainer-name')
    H.eq({ { 'approve', ids[IMPLEMENT], '--by=maintainer-name' } }, calls, 'chant approve')
    H.eq('approved', ended, 'how the run ended')
    local text = H.read(H.root .. '/' .. spec_rel(ids[IMPLEMENT]))
    H.ok(text:find('\napproval:\n  required: false\n  status: approved\n  by: maintainer-name\n', 1, true),
      'the approval on disk:\n' .. text)
    H.ok(text:find('\nstatus: completed\n', 1, true), 'still completed:\n' .. text)
    H.wait('the buffer to show the approval', function()
      return H.text(bufs[IMPLEMENT]):find('\n  by: maintainer-name\n', 1, true)
    end)
  end },

  { ':ChantMergeAll merges the five branches; the editor completes the merges chant stops on its own bookkeeping', function()
    local messages, requests = #H.messages, #H.message_requests
    local calls, ended = run('ChantMergeAll')
    H.eq('merged 5', ended, 'how the run ended')
    H.eq({ 'merge', '--all' }, { calls[1][1], calls[1][2] }, 'chant merge --all: ' .. vim.inspect(calls))
    -- What the editor says of the run (a message, or a question when it
    -- offers something).
    local function said()
      local out = {}
      for i = messages + 1, #H.messages do
        out[#out + 1] = H.messages[i].message
      end
      for i = requests + 1, #H.message_requests do
        out[#out + 1] = H.message_requests[i].message
      end
      return table.concat(out, '\n')
    end
    H.wait('the editor to say it merged each spec itself', function()
      for _, id in ipairs(ids) do
        if not said():find(('chant stopped merging chant/%s on its own bookkeeping in .chant/specs/%s.md: the agent '
          .. 'ticked the criteria on the branch, chant wrote the transcript and completion fields on the main branch. '
          .. 'The editor merged it itself'):format(id, id), 1, true) then
          return false
        end
      end
      return true
    end)
    -- What :ChantApplyChanges wrote (and the user saved) is the branch's
    -- file: not in the way of the merge.
    H.ok(said():find('Put back 1 file "Apply agent changes" had written, identical to the branch\'s (the merge wrote them '
      .. 'again): ' .. RCA .. '.', 1, true), 'the applied research put back:\n' .. said())
    for i, id in ipairs(ids) do
      for rel, text in pairs(PHASES[i].output) do
        H.eq(text, H.read(H.root .. '/' .. rel), rel .. ' of ' .. id .. ' on the main branch')
      end
      local spec = H.read(H.root .. '/' .. spec_rel(id))
      H.ok(not spec:find('<<<<<<<', 1, true) and not spec:find('>>>>>>>', 1, true), id .. ': no conflict marker:\n' .. spec)
      H.ok(spec:find('\nstatus: completed\n', 1, true), id .. ' completed:\n' .. spec)
      H.ok(not spec:find('- [ ]', 1, true), id .. ': every criterion ticked:\n' .. spec)
      H.ok(spec:find('\n## Agent Output\n', 1, true), id .. ': the transcript kept:\n' .. spec)
    end
    H.ok(H.read(H.root .. '/' .. spec_rel(ids[IMPLEMENT])):find('\n  by: maintainer-name\n', 1, true),
      'the approval kept')
  end },

  { ':ChantArchiveLabel issue-1234 archives every spec of the walkthrough; nothing lost, no conflict left', function()
    local calls, ended = run('ChantArchiveLabel issue-1234')
    H.eq('archived 5, not archived 0', ended, 'how the run ended')
    H.eq(5, #calls, 'one chant archive per spec: ' .. vim.inspect(calls))
    for i, id in ipairs(ids) do
      H.eq(nil, H.read(H.root .. '/' .. spec_rel(id)), id .. ' left .chant/specs')
      local archived = H.read(('%s/.chant/archive/%s/%s.md'):format(H.root, today(), id)) or ''
      H.ok(archived:find('\n# ' .. PHASES[i].title .. '\n', 1, true), id .. ' archived:\n' .. archived)
    end
    H.eq('', git('diff', '--name-only', '--diff-filter=U'), 'unmerged files')
    local grep = vim.system({ 'git', 'grep', '-l', '^<<<<<<<' }, { cwd = H.root, text = true }):wait()
    H.eq('', grep.stdout, 'files with conflict markers')
    -- The checkout holds what was committed, the moves chant archive staged
    -- (committing them is the user's) and the prompts the editor created.
    local expected = {}
    for _, id in ipairs(ids) do
      expected[#expected + 1] = ('R  .chant/specs/%s.md -> .chant/archive/%s/%s.md'):format(id, today(), id)
    end
    local prompts = {}
    for _, phase in ipairs(PHASES) do
      prompts[#prompts + 1] = '?? .chant/prompts/' .. phase.prompt .. '.md'
    end
    table.sort(prompts)
    vim.list_extend(expected, prompts)
    H.eq(expected, vim.split(git('status', '--porcelain'), '\n'), 'git status')
    -- The project's other specs are untouched.
    for _, id in ipairs({ '2026-11-20-001-abc', '2026-11-20-002-def', '2026-11-20-003-ghi', '2026-11-20-004-jkl' }) do
      H.eq(H.read(H.repo .. '/editors/test-fixtures/demo/' .. spec_rel(id)), H.read(H.root .. '/' .. spec_rel(id)), id)
    end
  end },
})
