-- chant commands from Neovim with commands enabled (a trusted project):
-- the "Work this spec" code action runs the stand-in chant and the spec
-- buffer changes; progress arrives through Neovim's LSP progress; a
-- rejection asks for its reason with vim.ui.input; approve; apply the
-- agent's changes. Needs the server's code actions and commands.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project()
H.setup({ commands = { enabled = true, timeoutSeconds = 60 } })

local WORK_ID = '2026-11-20-001-abc'
local REVIEW_ID = '2026-11-20-003-ghi'

--- The stand-in's invocations so far, each a list of arguments.
local function chant_runs()
  local text = H.read(H.standin_log)
  if not text then
    return {}
  end
  local runs = {}
  for line in text:gmatch('[^\n]+') do
    table.insert(runs, vim.json.decode(line))
  end
  return runs
end

--- The value of `flag` in an argument list (`--flag value` or `--flag=value`).
local function flag_value(args, flag)
  for i, a in ipairs(args) do
    if a == flag then
      return args[i + 1]
    end
    if vim.startswith(a, flag .. '=') then
      return a:sub(#flag + 2)
    end
  end
end

local function disk(rel)
  return H.read(H.root .. '/' .. rel)
end

local function strip_eol(s)
  return (s:gsub('\n+$', ''))
end

--- Progress events of the chant client: { kind, title, message }.
local progress = {}
local running = {} -- progress tokens begun and not ended
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local v = ev.data.params.value or {}
    table.insert(progress, { kind = v.kind, title = v.title, message = v.message })
    running[ev.data.params.token] = v.kind ~= 'end' or nil
  end,
})

--- Waits until every chant run the server reported has ended.
local function runs_finished()
  H.wait('the chant runs to end', function()
    return next(running) == nil
  end, 30000)
end

local function code_action_titles(buf, line)
  local client = H.client(buf)
  local result = H.request(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = line, character = 0 }, ['end'] = { line = line, character = 0 } },
    context = { diagnostics = {} },
  }) or {}
  local titles = {}
  for _, a in ipairs(result) do
    table.insert(titles, a.title)
  end
  return titles, client
end

local work_buf

H.run({
  { 'the server offers the chant commands', function()
    work_buf = H.open('.chant/specs/' .. WORK_ID .. '.md')
    local client = H.ready(work_buf)
    H.require_capability(client, 'codeActionProvider', 'code actions')
    local provider = H.require_capability(client, 'executeCommandProvider', 'workspace/executeCommand')
    for _, cmd in ipairs({ 'chant.work', 'chant.approve', 'chant.reject', 'chant.applyAgentChanges' }) do
      H.ok(vim.list_contains(provider.commands or {}, cmd), cmd .. ' in executeCommandProvider.commands: '
        .. vim.inspect(provider.commands))
    end
    H.eq(true, client.config.settings.chant.commands.enabled, 'commands enabled in the settings sent')
  end },

  { 'the "Work this spec" code action runs chant and the spec buffer changes', function()
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
    -- chant ran once, as `chant work <id> --no-watch ...`, from the project root.
    local runs = chant_runs()
    H.eq(1, #runs, 'chant runs: ' .. vim.inspect(runs))
    H.eq({ 'work', WORK_ID }, { runs[1][1], runs[1][2] }, 'chant work <id>')
    H.ok(vim.list_contains(runs[1], '--no-watch'), '--no-watch passed: ' .. vim.inspect(runs[1]))
    -- The buffer holds exactly what chant wrote.
    H.wait('the buffer to equal the file chant wrote', function()
      return strip_eol(H.text(work_buf)) == strip_eol(disk('.chant/specs/' .. WORK_ID .. '.md'))
    end, 5000)
    local text = H.text(work_buf)
    H.ok(text:find('- [x] The index caches parsed specs', 1, true), 'the criterion is ticked:\n' .. text)
    H.ok(text:find('\n## Agent Output\n', 1, true), 'an Agent Output section:\n' .. text)
    H.ok(text:find('stand-in agent: working on ' .. WORK_ID .. ' (line 3 of 3)', 1, true), 'the agent output:\n' .. text)
    H.ok(text:find('\nbranch: chant/' .. WORK_ID .. '\n', 1, true), 'branch recorded:\n' .. text)
  end },

  { 'the run reported LSP progress (begin ... end) through LspProgress', function()
    H.wait('the progress to end', function()
      return #progress > 0 and progress[#progress].kind == 'end'
    end)
    local kinds = vim.tbl_map(function(p)
      return p.kind
    end, progress)
    H.ok(kinds[1] == 'begin', 'progress begins: ' .. vim.inspect(progress))
    H.ok(kinds[#kinds] == 'end', 'progress ends: ' .. vim.inspect(progress))
    H.ok(type(progress[1].title) == 'string' and progress[1].title ~= '', 'progress has a title')
  end },

  { 'the server tells how the run ended and offers to apply the agent changes', function()
    H.wait('a window/showMessageRequest', function()
      return #H.message_requests > 0
    end)
    local req = H.message_requests[1]
    H.ok(req.message:match('^`chant work ' .. vim.pesc(WORK_ID) .. '` finished: the spec is completed %(commits %x+, %x+%)'),
      'the message: ' .. req.message)
    H.eq({ { title = 'Apply agent changes' } }, req.actions, 'the actions offered')
  end },

  { 'diagnostics follow the finished spec (no unchecked criterion left)', function()
    H.wait('the unchecked-criterion note to go', function()
      for _, d in ipairs(H.diagnostics(work_buf)) do
        if d[1] == 'chant/unchecked-criterion' then
          return false
        end
      end
      return true
    end)
  end },

  { ':ChantApplyChanges brings the agent file into the workspace', function()
    runs_finished()
    vim.cmd('ChantApplyChanges')
    local path = H.root .. '/agent-output.txt'
    local expected = 'stand-in agent output for ' .. WORK_ID
    H.wait('agent-output.txt in the workspace', function()
      local b = vim.fn.bufnr(path)
      if b ~= -1 and vim.api.nvim_buf_is_loaded(b) then
        return strip_eol(H.text(b)) == expected
      end
      return strip_eol(disk('agent-output.txt') or '') == expected
    end, 30000)
  end },

  { 'the "Reject spec..." code action asks for a reason; cancelling runs nothing', function()
    local buf = H.open('.chant/specs/' .. REVIEW_ID .. '.md')
    H.ready(buf)
    local titles = code_action_titles(buf, 6)
    local reject_title
    for _, t in ipairs(titles) do
      if vim.startswith(t, 'Reject spec') then
        reject_title = t
      end
    end
    H.ok(reject_title, '"Reject spec..." among the code actions: ' .. vim.inspect(titles))
    local asked = {}
    vim.ui.input = function(opts, on_confirm)
      table.insert(asked, opts.prompt)
      on_confirm(nil) -- the user pressed <Esc>
    end
    vim.api.nvim_win_set_cursor(0, { 7, 0 })
    local before = #chant_runs()
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(a)
        return a.title == reject_title
      end,
    })
    H.wait('vim.ui.input to ask for the reason', function()
      return #asked == 1
    end)
    H.eq('Reason for rejecting the spec: ', asked[1], 'the prompt')
    vim.wait(700, function() return false end)
    H.eq(before, #chant_runs(), 'chant did not run')
  end },

  { ':ChantReject asks for the reason and the rejection lands in the buffer', function()
    local buf = vim.api.nvim_get_current_buf()
    vim.ui.input = function(_, on_confirm)
      on_confirm('Needs a design review first')
    end
    vim.cmd('ChantReject')
    H.wait('the rejection in the buffer', function()
      return H.text(buf):find('REJECTED', 1, true)
    end, 30000)
    local runs = chant_runs()
    local last = runs[#runs]
    H.eq({ 'reject', REVIEW_ID }, { last[1], last[2] }, 'chant reject <id>')
    H.eq('Needs a design review first', flag_value(last, '--reason'), '--reason')
    H.eq('Test User', flag_value(last, '--by'), '--by (chant.approverName)')
    local text = H.text(buf)
    H.ok(text:find('\n  status: rejected\n', 1, true), 'approval.status: rejected:\n' .. text)
    H.ok(text:find('\n  by: Test User\n', 1, true), 'approval.by:\n' .. text)
    H.ok(text:match('\n%*%*Test User%*%* %- %d%d%d%d%-%d%d%-%d%d %d%d:%d%d %- REJECTED\nNeeds a design review first'),
      'the discussion line and the reason:\n' .. text)
    H.eq(strip_eol(disk('.chant/specs/' .. REVIEW_ID .. '.md')), strip_eol(text), 'buffer equals the file')
    runs_finished()
  end },

  { ':ChantApprove approves the spec', function()
    local buf = vim.api.nvim_get_current_buf()
    vim.cmd('ChantApprove')
    H.wait('the approval in the buffer', function()
      return H.text(buf):find('\n  status: approved\n', 1, true)
    end, 30000)
    local runs = chant_runs()
    H.eq({ 'approve', REVIEW_ID, 'Test User' }, { runs[#runs][1], runs[#runs][2], flag_value(runs[#runs], '--by') },
      'chant approve <id> --by NAME')
    H.ok(H.text(buf):match('\n%*%*Test User%*%* %- [%d%- :]+ %- APPROVED'), 'the approval line:\n' .. H.text(buf))
  end },
})
