-- chant's walkthrough from Neovim's user commands, on the REAL chant with
-- the scripted agent: :ChantAdd (asks title, type, prompt, labels,
-- approval; the server shows the new spec), :ChantSpecs (the picker over
-- chant/specList), :ChantWorkAnyway, :ChantMerge, :ChantMergeAll,
-- :ChantVerify, :ChantLog (the server shows the log), :ChantArchive,
-- :ChantArchiveLabel, :ChantReset, :ChantReset!, :ChantCancel,
-- :ChantCancel! (declined, then confirmed), :ChantSplit. Each is driven as a
-- user does: the command, then the answers to its prompts (vim.ui.select and
-- vim.ui.input, stubbed to answer), and each waits for the run's progress to
-- end and the server to be idle.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

local function spec(title, head, criteria, body)
  local items = {}
  for _, c in ipairs(criteria or {}) do
    items[#items + 1] = '- [ ] ' .. c
  end
  local text = '---\ntype: code\nstatus: pending\n' .. (head or '') .. '---\n# ' .. title .. '\n\n' .. (body or '')
  if #items > 0 then
    text = text .. '\n## Acceptance Criteria\n\n' .. table.concat(items, '\n') .. '\n'
  end
  return text
end

local MERGE_ID = '2026-11-20-001-abc' -- worked, merged, verified, archived
local LABEL_ID = '2026-11-20-004-jkl' -- labelled `walk`: worked, merged by :ChantMergeAll, archived by label
local RESET_ID = '2026-11-21-005-res'
local RESET2_ID = '2026-11-21-010-rsw'
local CANCEL_ID = '2026-11-21-006-can'
local DELETE_ID = '2026-11-21-007-del'
local SPLIT_ID = '2026-11-21-008-spl'
local ANYWAY_ID = '2026-11-21-009-any'

H.project({
  walk = true,
  specs = {
    [LABEL_ID] = '---\ntype: task\nstatus: pending\nlabels:\n- walk\ninformed_by:\n  - docs/research/queues.md\n---\n'
      .. '# Compare queue designs\n\nWhich queue fits the indexer?\n\n## Acceptance Criteria\n\n'
      .. '- [ ] A recommendation is written down\n',
    [RESET_ID] = spec('Reset me', nil, { 'it works' }),
    [RESET2_ID] = spec('Reset and work me', nil, { 'it works' }),
    [CANCEL_ID] = spec('Cancel me', nil, { 'it works' }),
    [DELETE_ID] = spec('Delete me', nil, { 'it works' }),
    [SPLIT_ID] = spec('Split me', nil, { 'part one', 'part two' },
      'A spec big enough to split: the greeting module, its command line and its documentation.\n'),
    [ANYWAY_ID] = spec('Work me anyway', nil, nil, 'No acceptance criteria: chant\'s quality check fails.\n'),
  },
})
H.setup({ commands = { enabled = true, timeoutSeconds = 120 } })

local client

local function spec_path(id)
  return H.root .. '/.chant/specs/' .. id .. '.md'
end

local function status_on_disk(id)
  return ((H.read(spec_path(id)) or ''):match('\nstatus: (%S+)\n'))
end

--- Runs the Ex command `cmd` and waits for the chant run(s) it starts to
--- end; returns chant's calls made meanwhile. A refusal fails the test, or
--- is returned as the second value with `{ refusal_ok = true }`.
local function run(cmd, opts)
  local calls = #H.chant_calls()
  local progress = #H.progress
  local notes = #H.notes
  local refused
  vim.cmd(cmd)
  H.wait(':' .. cmd .. ' to start a run', function()
    for i = progress + 1, #H.progress do
      if H.progress[i].kind == 'begin' then
        return true
      end
    end
    for i = notes + 1, #H.notes do
      if H.notes[i].level == vim.log.levels.ERROR then
        refused = H.notes[i].msg
        return true
      end
    end
  end, 30000)
  if refused then
    if opts and opts.refusal_ok then
      return {}, refused
    end
    H.fail(':' .. cmd .. ' was refused: ' .. refused)
  end
  H.runs_finished(client)
  return vim.list_slice(H.chant_calls(), calls + 1)
end

local function git(...)
  return vim.trim(H.sh(vim.list_extend({ 'git' }, { ... }), H.root))
end

H.run({
  { 'the server has every walkthrough command', function()
    local buf = H.open('.chant/specs/' .. MERGE_ID .. '.md')
    client = H.ready(buf)
    for _, command in ipairs({
      'chant.add', 'chant.merge', 'chant.mergeAll', 'chant.archive', 'chant.archiveByLabel', 'chant.reset',
      'chant.cancel', 'chant.verify', 'chant.split', 'chant.showLog',
    }) do
      H.require_command(client, command)
    end
  end },

  { ':ChantAdd asks title, type, prompt, labels and approval; the server shows the new spec', function()
    H.require_command(client, 'chant.add')
    local before = vim.api.nvim_get_current_buf()
    H.answer_input('Greet the user')
    H.answer_select('task', 'standard')
    H.answer_input('walk, phase 1')
    H.answer_select('Yes')
    local calls = run('ChantAdd')
    H.eq({ { 'add', '--prompt=standard', '--needs-approval', '--', 'Greet the user' } }, calls, 'chant add')
    local asked = vim.tbl_map(function(p)
      return p.prompt
    end, vim.list_slice(H.prompts, #H.prompts - 4))
    H.eq({ 'Title of the new spec: ', 'Type of the spec', 'Prompt', 'Labels (comma-separated, optional): ',
      'Needs approval before work?' }, asked, 'what :ChantAdd asked')
    H.eq({ "(chant's default)", 'bootstrap', 'research', 'split', 'standard', 'verify' }, H.prompts[#H.prompts - 2].items,
      'the prompts offered')
    -- window/showDocument: Neovim opened the new spec.
    H.wait('the new spec in the current window', function()
      return #H.shown == 1 and vim.api.nvim_get_current_buf() ~= before
    end)
    local buf = vim.api.nvim_get_current_buf()
    local name = vim.api.nvim_buf_get_name(buf)
    H.ok(name:match('/%.chant/specs/%d%d%d%d%-%d%d%-%d%d%-%d%d%d%-%w+%.md$'), 'the new spec is shown: ' .. name)
    H.eq(vim.uri_from_fname(name), H.shown[1].uri, 'the URI shown')
    H.wait('the type and labels set in the buffer', function()
      return H.text(buf):find('type: task', 1, true)
    end)
    local text = H.text(buf)
    H.ok(text:find('\nlabels:\n%- walk\n%- phase 1\n'), 'labels in the buffer:\n' .. text)
    H.ok(text:find('\n# Greet the user', 1, true), 'the title:\n' .. text)
    H.ok(text:find('\napproval:\n  required: true\n', 1, true), 'approval required:\n' .. text)
    -- The cursor sits after the title.
    H.eq('# Greet the user', vim.api.nvim_get_current_line(), 'the cursor is on the title line')
    vim.cmd('silent write')
  end },

  { ':ChantSpecs picks a spec of the project (chant/specList) and opens it', function()
    H.require_request(client, 'chant/specList', {})
    local prompts = #H.prompts
    H.answer_select('~Cache parsed specs')
    vim.cmd('ChantSpecs')
    H.wait('the spec picker', function()
      return #H.prompts > prompts
    end)
    local picker = H.prompts[#H.prompts]
    H.eq('chant specs', picker.prompt, 'the picker')
    H.wait(MERGE_ID .. ' opened', function()
      return vim.api.nvim_buf_get_name(0) == spec_path(MERGE_ID)
    end)
    -- Grouped by readiness (ready first), one line per spec.
    local lines = picker.items
    H.eq(11, #lines, 'specs listed:\n' .. table.concat(lines, '\n'))
    H.ok(vim.startswith(lines[1], 'ready          2026-11-20-001-abc  Cache parsed specs  (pending · 1/2 · 🟡 Review)'),
      'the first line:\n' .. table.concat(lines, '\n'))
    local order = vim.tbl_map(function(l)
      return vim.trim(l:sub(1, 14))
    end, lines)
    local rank = { ready = 1, refused = 2, blocked = 3, ['in progress'] = 4, ['needs approval'] = 5, failed = 6, completed = 7 }
    for i = 2, #order do
      H.ok((rank[order[i - 1]] or 8) <= (rank[order[i]] or 8), 'grouped by readiness:\n' .. table.concat(lines, '\n'))
    end
    H.ok(vim.tbl_contains(order, 'needs approval'), 'a spec that needs approval:\n' .. table.concat(lines, '\n'))
  end },

  { ':ChantWork then :ChantMerge merges the agent branch into main', function()
    H.eq('2026-11-20-001-abc.md', vim.fs.basename(vim.api.nvim_buf_get_name(0)), 'on ' .. MERGE_ID)
    run('ChantWork')
    H.eq('completed', status_on_disk(MERGE_ID), 'status after work')
    H.eq(nil, H.read(H.root .. '/done-' .. MERGE_ID .. '.txt'), 'not merged yet')
    local calls = run('ChantMerge')
    H.eq('merge', calls[1][1], 'chant merge: ' .. vim.inspect(calls))
    H.ok(vim.list_contains(calls[1], MERGE_ID), 'chant merge ' .. MERGE_ID .. ': ' .. vim.inspect(calls))
    H.eq('work of ' .. MERGE_ID .. '\n', H.read(H.root .. '/done-' .. MERGE_ID .. '.txt'), "the agent's file on main")
  end },

  { ':ChantMergeAll merges every completed spec branch', function()
    H.open('.chant/specs/' .. LABEL_ID .. '.md')
    run('ChantWork')
    H.eq('completed', status_on_disk(LABEL_ID), 'status after work')
    local calls = run('ChantMergeAll')
    H.eq('merge', calls[1][1], 'chant merge: ' .. vim.inspect(calls))
    H.ok(vim.list_contains(calls[1], '--all'), 'chant merge --all: ' .. vim.inspect(calls))
    H.eq('work of ' .. LABEL_ID .. '\n', H.read(H.root .. '/done-' .. LABEL_ID .. '.txt'), "the agent's file on main")
  end },

  { ':ChantVerify verifies a completed spec', function()
    H.open('.chant/specs/' .. MERGE_ID .. '.md')
    local calls = run('ChantVerify')
    H.eq({ { 'verify', MERGE_ID } }, vim.tbl_map(function(c)
      return { c[1], c[2] }
    end, calls), 'chant verify')
    local text = H.read(spec_path(MERGE_ID))
    H.ok(text:find('verified', 1, true) or text:find('Verification', 1, true), 'the verification is recorded:\n' .. text)
  end },

  { ':ChantLog shows the agent log (window/showDocument)', function()
    local shown = #H.shown
    vim.cmd('ChantLog')
    H.wait('the log in the current window', function()
      return #H.shown > shown and vim.api.nvim_buf_get_name(0) == H.root .. '/.chant/logs/' .. MERGE_ID .. '.log'
    end)
    H.ok(H.text(0):find('agent: done with ' .. MERGE_ID, 1, true), 'the log holds the agent output:\n' .. H.text(0))
  end },

  { ':ChantArchive archives the merged spec', function()
    H.open('.chant/specs/' .. MERGE_ID .. '.md')
    local calls = run('ChantArchive')
    H.eq({ 'archive', MERGE_ID }, { calls[1][1], calls[1][2] }, 'chant archive <id>')
    H.eq(nil, H.read(spec_path(MERGE_ID)), 'the spec left .chant/specs')
    local archived = vim.fs.find(MERGE_ID .. '.md', { path = H.root .. '/.chant/archive', type = 'file' })
    H.eq(1, #archived, 'the spec is in .chant/archive')
  end },

  { ':ChantArchiveLabel asks for the label among the project\'s, and archives those specs', function()
    H.open('.chant/specs/' .. LABEL_ID .. '.md')
    local prompts = #H.prompts
    H.answer_select('walk')
    local calls = run('ChantArchiveLabel')
    H.eq('Archive the specs labelled', H.prompts[prompts + 1].prompt, 'asked for the label')
    H.eq({ 'phase 1', 'walk' }, H.prompts[prompts + 1].items, 'the labels offered')
    H.eq('archive', calls[1][1], 'chant archive: ' .. vim.inspect(calls))
    H.ok(vim.list_contains(calls[1], LABEL_ID) or H.flag_value(calls[1], '--label') == 'walk',
      'archives the walk specs: ' .. vim.inspect(calls))
    H.eq(nil, H.read(spec_path(LABEL_ID)), 'the labelled completed spec left .chant/specs')
  end },

  { ':ChantReset puts a failed spec back to pending', function()
    H.open('.chant/specs/' .. RESET_ID .. '.md')
    H.write(H.agent_dir .. '/mode-' .. RESET_ID, 'fail')
    run('ChantWork')
    H.eq('failed', status_on_disk(RESET_ID), 'status after the failing agent')
    local calls = run('ChantReset')
    H.eq({ { 'reset', RESET_ID } }, calls, 'chant reset <id>')
    H.eq('pending', status_on_disk(RESET_ID), 'status after :ChantReset')
  end },

  { ':ChantReset! resets a failed spec and works it again', function()
    H.open('.chant/specs/' .. RESET2_ID .. '.md')
    H.write(H.agent_dir .. '/mode-' .. RESET2_ID, 'fail')
    run('ChantWork')
    H.eq('failed', status_on_disk(RESET2_ID), 'status after the failing agent')
    -- chant 0.23.2 cannot work a spec again while the failed run's branch
    -- is there ("a branch named chant/<id> already exists"): remove it as
    -- the server's message after the failure says.
    H.sh({ 'git', 'worktree', 'remove', '--force', '/tmp/chant-' .. H.name .. '-' .. RESET2_ID }, H.root)
    H.sh({ 'git', 'branch', '-D', 'chant/' .. RESET2_ID }, H.root)
    H.write(H.agent_dir .. '/mode-' .. RESET2_ID, 'ok')
    local calls = run('ChantReset!')
    H.eq({ { 'reset', RESET2_ID }, { 'work', RESET2_ID, '--no-watch' } }, calls, 'chant reset, then chant work')
    H.eq('completed', status_on_disk(RESET2_ID), 'status after :ChantReset!')
  end },

  { ':ChantCancel cancels a pending spec', function()
    H.open('.chant/specs/' .. CANCEL_ID .. '.md')
    local calls = run('ChantCancel')
    H.eq({ 'cancel', CANCEL_ID }, { calls[1][1], calls[1][2] }, 'chant cancel <id>')
    H.eq('cancelled', status_on_disk(CANCEL_ID), 'status')
  end },

  { ':ChantCancel! asks first: declined keeps the spec, confirmed deletes it', function()
    H.open('.chant/specs/' .. DELETE_ID .. '.md')
    local requests = #H.message_requests
    H.answer_select('Cancel')
    vim.cmd('ChantCancel!')
    H.wait('the confirmation', function()
      return #H.message_requests > requests
    end)
    H.ok(H.message_requests[#H.message_requests].message:find('Delete spec ' .. DELETE_ID .. '?', 1, true),
      'the question: ' .. H.message_requests[#H.message_requests].message)
    H.runs_finished(client)
    H.ok(H.read(spec_path(DELETE_ID)), 'declined: the spec is still there')
    H.eq({}, vim.tbl_filter(function(c)
      return c[1] == 'cancel' and vim.list_contains(c, DELETE_ID)
    end, H.chant_calls()), 'chant cancel did not run')
    H.answer_select('Delete')
    local calls = run('ChantCancel!')
    H.eq({ 'cancel', DELETE_ID }, { calls[1][1], calls[1][2] }, 'chant cancel <id>')
    H.ok(vim.list_contains(calls[1], '--delete'), '--delete: ' .. vim.inspect(calls[1]))
    H.eq(nil, H.read(spec_path(DELETE_ID)), 'the spec is deleted')
  end },

  { ':ChantSplit splits a pending spec into members', function()
    H.open('.chant/specs/' .. SPLIT_ID .. '.md')
    local calls = run('ChantSplit')
    H.eq({ 'split', SPLIT_ID }, { calls[1][1], calls[1][2] }, 'chant split <id>')
    H.ok(H.read(H.root .. '/.chant/specs/' .. SPLIT_ID .. '.1.md'), 'member 1 written')
    H.ok(H.read(H.root .. '/.chant/specs/' .. SPLIT_ID .. '.2.md'), 'member 2 written')
  end },

  { ':ChantWork is refused by the quality check; :ChantWorkAnyway works past it', function()
    local buf = H.open('.chant/specs/' .. ANYWAY_ID .. '.md')
    local notes = #H.notes
    vim.cmd('ChantWork')
    H.wait('the refusal', function()
      return #H.notes > notes
    end)
    H.ok(H.notes[#H.notes].msg:lower():find('quality', 1, true) or H.notes[#H.notes].msg:find('criteria', 1, true),
      'refused for its quality: ' .. H.notes[#H.notes].msg)
    local calls, refused = run('ChantWorkAnyway', { refusal_ok = true })
    if refused and refused:find('Spec quality check failed', 1, true) then
      H.missing('chant.work with skipQuality', 'it refused :ChantWorkAnyway for the quality check: ' .. refused)
    end
    H.eq(nil, refused, ':ChantWorkAnyway refused')
    H.eq({ 'work', ANYWAY_ID }, { calls[1][1], calls[1][2] }, 'chant work <id>')
    H.ok(vim.list_contains(calls[1], '--skip-criteria'), '--skip-criteria: ' .. vim.inspect(calls[1]))
    H.eq('completed', status_on_disk(ANYWAY_ID), 'status')
    H.wait('the buffer to follow', function()
      return H.text(buf):find('status: completed', 1, true)
    end)
  end },
})
