-- Timing and faults, on the stand-in chant (its agent prints slowly, or
-- fails on purpose): a run's progress reaches Neovim line by line while it
-- goes on (LspProgress, vim.lsp.status() for a statusline, the plugin's
-- echo), and a failing agent ends the progress and is reported as an error.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project({ standin = true })
vim.env.STANDIN_AGENT_LINES = '3'
vim.env.STANDIN_AGENT_DELAY_MS = '300'
H.setup({ commands = { enabled = true, timeoutSeconds = 60 } })

local WORK_ID = '2026-11-20-001-abc'
local OTHER_ID = '2026-11-20-004-jkl'

-- What the plugin echoes (progress = true) and what vim.lsp.status() says
-- while the run goes on.
local echoed, statuses = {}, {}
local echo = vim.api.nvim_echo
vim.api.nvim_echo = function(chunks, history, opts)
  table.insert(echoed, table.concat(vim.tbl_map(function(c)
    return c[1]
  end, chunks)))
  return echo(chunks, history, opts)
end
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function()
    table.insert(statuses, vim.lsp.status())
  end,
})

local client

H.run({
  { "the agent's lines arrive as progress reports while chant runs", function()
    local buf = H.open('.chant/specs/' .. WORK_ID .. '.md')
    client = H.ready(buf)
    vim.cmd('ChantWork')
    -- The second agent line arrives while the run still goes on.
    H.wait('a progress report of the second agent line', function()
      for _, p in ipairs(H.progress) do
        if p.kind == 'report' and (p.message or ''):find('(line 2 of 3)', 1, true) then
          return true
        end
      end
    end, 30000)
    H.ok(next(H.running) ~= nil, 'the run is still going on when line 2 arrives: ' .. vim.inspect(H.progress))
    H.runs_finished(client)
    local reports = vim.tbl_map(function(p)
      return p.message
    end, vim.tbl_filter(function(p)
      return p.kind == 'report'
    end, H.progress))
    local agent = vim.tbl_filter(function(m)
      return (m or ''):find('stand-in agent: working on', 1, true) ~= nil
    end, reports)
    H.ok(#agent >= 2, 'agent lines reported one by one: ' .. vim.inspect(reports))
    H.eq('end', H.progress[#H.progress].kind, 'the progress ends')
    H.ok(vim.iter(statuses):any(function(s)
      return s:find('stand-in agent: working on', 1, true) ~= nil
    end), 'vim.lsp.status() showed the agent line: ' .. vim.inspect(statuses))
    H.ok(vim.iter(echoed):any(function(s)
      return vim.startswith(s, 'chant: chant work ' .. WORK_ID) and s:find('stand-in agent', 1, true) ~= nil
    end), 'the plugin echoed the progress: ' .. vim.inspect(echoed))
    H.ok(H.text(buf):find('status: completed', 1, true), 'the spec is completed')
  end },

  { 'a failing agent ends the progress and is reported as an error', function()
    local buf = H.open('.chant/specs/' .. OTHER_ID .. '.md')
    H.ready(buf)
    H.write(H.agent_dir .. '/fail', '')
    local progress = #H.progress
    vim.cmd('ChantWork')
    H.wait('the run to begin', function()
      return #H.progress > progress
    end)
    H.runs_finished(client)
    os.remove(H.agent_dir .. '/fail')
    H.eq('end', H.progress[#H.progress].kind, 'the progress ends')
    local note
    H.wait('the failure to be shown', function()
      note = vim.iter(H.notes):find(function(n)
        return n.msg:find('`chant work ' .. OTHER_ID .. '` failed', 1, true) ~= nil
      end)
      return note
    end)
    H.eq(vim.log.levels.ERROR, note.level, 'as an error: ' .. note.msg)
    H.ok(note.msg:find('stand-in agent: failing on purpose', 1, true), "chant's error in the message: " .. note.msg)
  end },
})
