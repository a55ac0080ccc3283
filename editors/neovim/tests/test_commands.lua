-- chant commands from Neovim with commands enabled (a trusted project), on
-- the REAL chant with the scripted agent: the "Work this spec" code action
-- runs chant and the spec buffer changes; progress arrives through Neovim's
-- LSP progress; the diagnostics follow the finished spec; the agent's
-- changes come into the workspace; a rejection asks for its reason with
-- vim.ui.input (cancelled: nothing runs); :ChantReject, the "✓ Approve" code
-- lens and :ChantWork with a prompt.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project()
H.setup({ commands = { enabled = true, timeoutSeconds = 120 } })

local WORK_ID = '2026-11-20-001-abc'
local REVIEW_ID = '2026-11-20-003-ghi'
local TASK_ID = '2026-11-20-004-jkl'

local function disk(rel)
  return H.read(H.root .. '/' .. rel)
end

local function strip_eol(s)
  return (s:gsub('\n+$', ''))
end

local function code_action_titles(buf, line)
  local result = H.request(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = line, character = 0 }, ['end'] = { line = line, character = 0 } },
    context = { diagnostics = {} },
  }) or {}
  local titles = {}
  for _, a in ipairs(result) do
    if not a.disabled then
      table.insert(titles, a.title)
    end
  end
  return titles
end

local work_buf, client

H.run({
  { 'the server offers the chant commands', function()
    work_buf = H.open('.chant/specs/' .. WORK_ID .. '.md')
    client = H.ready(work_buf)
    H.require_capability(client, 'codeActionProvider', 'code actions')
    local provider = H.require_capability(client, 'executeCommandProvider', 'workspace/executeCommand')
    for _, cmd in ipairs({ 'chant.work', 'chant.approve', 'chant.reject', 'chant.applyAgentChanges' }) do
      H.ok(vim.list_contains(provider.commands or {}, cmd), cmd .. ' in executeCommandProvider.commands: '
        .. vim.inspect(provider.commands))
    end
    H.eq(true, client.config.settings.chant.commands.enabled, 'commands enabled in the settings sent')
  end },

  { 'the "Work this spec" code action runs chant and the spec buffer changes', function()
    -- Before: chant would tick the open criterion, which is reported.
    H.idle(client)
    -- (and chant's quality hints: the spec is graded Review)
    local HINT, INFO = vim.diagnostic.severity.HINT, vim.diagnostic.severity.INFO
    H.eq({
      { 'chant/quality-splittability', { 0, 0, 0, 3 }, HINT },
      { 'chant/quality-confidence', { 7, 0, 7, 20 }, HINT },
      { 'chant/quality-criteria', { 11, 0, 11, 22 }, HINT },
      { 'chant/unchecked-criterion', { 13, 0, 13, 35 }, INFO },
    }, H.diagnostics(work_buf), 'diagnostics before the run')
    local titles = code_action_titles(work_buf, 7)
    H.ok(vim.list_contains(titles, 'Work this spec'), '"Work this spec" among the code actions on the title: '
      .. vim.inspect(titles))
    vim.api.nvim_win_set_cursor(0, { 8, 0 }) -- the title line
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(a)
        return a.title == 'Work this spec'
      end,
    })
    H.wait('the spec buffer to show the finished work', function()
      return H.text(work_buf):find('status: completed', 1, true)
    end, 60000)
    -- chant ran once, as `chant work <id> --no-watch`, from the project root.
    local calls = H.chant_calls()
    H.eq(1, #calls, 'chant calls: ' .. vim.inspect(calls))
    H.eq({ 'work', WORK_ID }, { calls[1][1], calls[1][2] }, 'chant work <id>')
    H.ok(vim.list_contains(calls[1], '--no-watch'), '--no-watch passed: ' .. vim.inspect(calls[1]))
    H.eq({ WORK_ID }, vim.split(strip_eol(H.read(H.agent_dir .. '/runs')), '\n'), 'the agent ran once')
    -- The buffer holds exactly what chant wrote.
    H.wait('the buffer to equal the file chant wrote', function()
      return strip_eol(H.text(work_buf)) == strip_eol(disk('.chant/specs/' .. WORK_ID .. '.md'))
    end, 5000)
    local text = H.text(work_buf)
    H.ok(text:find('- [x] The index caches parsed specs', 1, true), 'the criterion is ticked:\n' .. text)
    H.ok(text:find('\n## Agent Output\n', 1, true), 'an Agent Output section:\n' .. text)
    H.ok(text:find('agent: done with ' .. WORK_ID, 1, true), 'the agent output:\n' .. text)
    H.ok(text:find('\nbranch: chant/' .. WORK_ID .. '\n', 1, true), 'branch recorded:\n' .. text)
  end },

  { 'the run reported LSP progress (begin ... end) through LspProgress', function()
    H.runs_finished(client)
    local kinds = vim.tbl_map(function(p)
      return p.kind
    end, H.progress)
    H.ok(#kinds >= 2, 'progress events: ' .. vim.inspect(H.progress))
    H.eq('begin', kinds[1], 'progress begins: ' .. vim.inspect(H.progress))
    H.eq('end', kinds[#kinds], 'progress ends: ' .. vim.inspect(H.progress))
    H.eq('chant work ' .. WORK_ID, H.progress[1].title, 'the progress title')
  end },

  { 'the server tells how the run ended and offers to apply the agent changes', function()
    H.wait('a window/showMessageRequest', function()
      return #H.message_requests > 0
    end)
    local req = H.message_requests[1]
    H.ok(req.message:match('^`chant work ' .. vim.pesc(WORK_ID) .. '` finished: the spec is completed'),
      'the message: ' .. req.message)
    H.ok(vim.list_contains(vim.tbl_map(function(a)
      return a.title
    end, req.actions), 'Apply agent changes'), 'the actions offered: ' .. vim.inspect(req.actions))
    -- Asked with vim.ui.select (Neovim's own handler); dismissed here.
    H.eq('select', H.prompts[#H.prompts].kind, 'asked with vim.ui.select')
  end },

  { 'diagnostics follow the finished spec: published again, and exactly what is left', function()
    local uri = vim.uri_from_bufnr(work_buf)
    -- The run rewrote the buffer; the server published for the new text.
    H.idle(client)
    H.ok((H.published[uri] or 0) >= 2, 'publications for the spec: ' .. tostring(H.published[uri]))
    H.wait('a publication for the buffer as it is now', function()
      return H.published_version[uri] == vim.lsp.util.buf_versions[work_buf]
    end)
    H.eq({}, H.diagnostics(work_buf), 'diagnostics of the completed spec (the criterion is ticked)')
  end },

  { ':ChantApplyChanges brings the agent file into the workspace', function()
    H.runs_finished(client)
    vim.cmd('ChantApplyChanges')
    local path = H.root .. '/done-' .. WORK_ID .. '.txt'
    local expected = 'work of ' .. WORK_ID
    H.wait('done-' .. WORK_ID .. '.txt in the workspace', function()
      local b = vim.fn.bufnr(path)
      if b ~= -1 and vim.api.nvim_buf_is_loaded(b) then
        return strip_eol(H.text(b)) == expected
      end
      return strip_eol(disk('done-' .. WORK_ID .. '.txt') or '') == expected
    end, 30000)
  end },

  { 'the "Reject spec..." code action asks for a reason; cancelling runs nothing', function()
    local buf = H.open('.chant/specs/' .. REVIEW_ID .. '.md')
    H.ready(buf)
    local titles = code_action_titles(buf, 6)
    H.ok(vim.list_contains(titles, 'Reject spec...'), '"Reject spec..." among the code actions: ' .. vim.inspect(titles))
    vim.api.nvim_win_set_cursor(0, { 7, 0 })
    local before = #H.chant_calls()
    local prompts = #H.prompts
    H.answer_input(false) -- the user presses <Esc>
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(a)
        return a.title == 'Reject spec...'
      end,
    })
    H.wait('vim.ui.input to ask for the reason', function()
      return #H.prompts > prompts
    end)
    H.eq({ kind = 'input', prompt = 'Reason for rejecting the spec: ' }, H.prompts[#H.prompts], 'the prompt')
    local status = H.idle(client)
    H.eq({}, status.running, 'no chant run going on')
    H.eq(before, #H.chant_calls(), 'chant did not run')
    H.ok(H.notes[#H.notes].msg:find('a reason is required', 1, true), 'the user is told: ' .. H.notes[#H.notes].msg)
  end },

  { ':ChantReject asks for the reason and the rejection lands in the buffer', function()
    local buf = vim.api.nvim_get_current_buf()
    H.answer_input('Needs a design review first')
    vim.cmd('ChantReject')
    H.wait('the rejection in the buffer', function()
      return H.text(buf):find('REJECTED', 1, true)
    end, 30000)
    local calls = H.chant_calls()
    local last = calls[#calls]
    H.eq({ 'reject', REVIEW_ID }, { last[1], last[2] }, 'chant reject <id>')
    H.eq('Needs a design review first', H.flag_value(last, '--reason'), '--reason')
    H.eq('Test User', H.flag_value(last, '--by'), '--by (chant.approverName)')
    local text = H.text(buf)
    H.ok(text:find('\n  status: rejected\n', 1, true), 'approval.status: rejected:\n' .. text)
    H.ok(text:find('\n  by: Test User\n', 1, true), 'approval.by:\n' .. text)
    H.ok(text:match('\n%*%*Test User%*%* %- %d%d%d%d%-%d%d%-%d%d %d%d:%d%d %- REJECTED\nNeeds a design review first'),
      'the discussion line and the reason:\n' .. text)
    H.runs_finished(client)
    H.eq(strip_eol(disk('.chant/specs/' .. REVIEW_ID .. '.md')), strip_eol(H.text(buf)), 'buffer equals the file')
  end },

  { 'the "✓ Approve" code lens approves the spec', function()
    local buf = vim.api.nvim_get_current_buf()
    H.require_capability(client, 'codeLensProvider', 'code lenses')
    vim.lsp.codelens.refresh({ bufnr = buf })
    local titles
    H.wait('the code lenses of the spec', function()
      titles = vim.tbl_map(function(l)
        return l.command and l.command.title
      end, vim.lsp.codelens.get(buf))
      return vim.list_contains(titles, '✓ Approve')
    end)
    local title_line = vim.lsp.codelens.get(buf)[1].range.start.line
    vim.api.nvim_win_set_cursor(0, { title_line + 1, 0 })
    H.answer_select('✓ Approve') -- several lenses on the line: Neovim asks which
    vim.lsp.codelens.run()
    H.wait('the approval in the buffer', function()
      return H.text(buf):find('\n  status: approved\n', 1, true)
    end, 30000)
    local calls = H.chant_calls()
    H.eq({ 'approve', REVIEW_ID, 'Test User' }, { calls[#calls][1], calls[#calls][2], H.flag_value(calls[#calls], '--by') },
      'chant approve <id> --by NAME')
    H.ok(H.text(buf):match('\n%*%*Test User%*%* %- [%d%- :]+ %- APPROVED'), 'the approval line:\n' .. H.text(buf))
    H.runs_finished(client)
  end },

  { ':ChantWork research works the spec with that prompt', function()
    local buf = H.open('.chant/specs/' .. TASK_ID .. '.md')
    H.ready(buf)
    vim.cmd('ChantWork research')
    H.wait('the spec to be completed', function()
      return H.text(buf):find('status: completed', 1, true)
    end, 60000)
    local calls = H.chant_calls()
    local last = calls[#calls]
    H.eq({ 'work', TASK_ID }, { last[1], last[2] }, 'chant work <id>')
    H.eq('research', H.flag_value(last, '--prompt'), '--prompt')
    -- The agent got the research prompt.
    local prompt = H.read(H.agent_dir .. '/prompts/' .. TASK_ID .. '.md') or ''
    H.ok(prompt:find('Summarise what  says about Compare queue designs.', 1, true),
      'the research prompt, rendered by chant:\n' .. prompt)
    H.runs_finished(client)
  end },
})
