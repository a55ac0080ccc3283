-- With the plugin's defaults (commands.enabled = false) the server never
-- runs chant: it refuses every chant command with the reason, offers them
-- only disabled (no lens, no runnable code action), and nothing changes, on
-- disk or in the buffer. Showing the agent's log runs nothing, so it stays
-- available.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project({ server_only = true })
H.setup() -- no `commands = { enabled = true }`

local ID = '2026-11-20-001-abc'
local COMMANDS_OFF = 'Running chant from the editor is off for this workspace'

local buf, client

--- Runs `command` through the plugin and returns the error answer.
local function refusal(command, args)
  local answer
  require('chant').execute(client, buf, command, args, function(err, result)
    answer = { err = err, result = result }
  end)
  H.wait('the answer to ' .. command, function()
    return answer ~= nil
  end)
  H.ok(answer.err, command .. ' was not refused: ' .. vim.inspect(answer.result))
  return answer.err
end

H.run({
  { 'chant.work with commands disabled is refused with the reason, and runs nothing', function()
    buf = H.open('.chant/specs/' .. ID .. '.md')
    client = H.ready(buf)
    H.eq(false, client.config.settings.chant.commands.enabled, 'settings sent')
    local before_disk = H.read(H.root .. '/.chant/specs/' .. ID .. '.md')
    local before_buf = H.text(buf)
    local notes = #H.notes
    local err = refusal('chant.work', { vim.uri_from_bufnr(buf) })
    H.eq(-32803, err.code, 'error code (RequestFailed): ' .. vim.inspect(err))
    H.ok(err.message:find(COMMANDS_OFF, 1, true), 'the reason: ' .. err.message)
    -- The user is told.
    H.ok(#H.notes > notes and H.notes[#H.notes].msg:find(COMMANDS_OFF, 1, true),
      'the refusal is shown: ' .. vim.inspect(H.notes[#H.notes]))
    -- Nothing started: the server is idle with no run, chant never ran.
    local status = H.idle(client)
    H.eq({}, status.running, 'runs going on')
    H.eq({}, H.chant_calls(), 'chant calls (chant must not run)')
    H.eq(nil, H.read(H.agent_dir .. '/runs'), 'agent runs')
    H.eq(before_disk, H.read(H.root .. '/.chant/specs/' .. ID .. '.md'), 'spec on disk')
    H.eq(before_buf, H.text(buf), 'spec buffer')
    H.eq({}, H.progress, 'no progress reported')
  end },

  { ':ChantWork, :ChantApprove, :ChantReject, :ChantMerge ... are all refused', function()
    local cmds = {
      'ChantWork', 'ChantWorkAnyway', 'ChantApprove', 'ChantReject not now', 'ChantMerge', 'ChantArchive',
      'ChantReset', 'ChantReset!', 'ChantCancel', 'ChantVerify', 'ChantSplit', 'ChantApplyChanges',
      'ChantMergeAll', 'ChantArchiveLabel walk',
    }
    for _, cmd in ipairs(cmds) do
      local notes = #H.notes
      vim.cmd(cmd)
      H.wait('the refusal of :' .. cmd, function()
        return #H.notes > notes
      end)
      local note = H.notes[#H.notes].msg
      H.ok(note:find(COMMANDS_OFF, 1, true), (':%s: %s'):format(cmd, note))
      H.eq(vim.log.levels.ERROR, H.notes[#H.notes].level, ':' .. cmd .. ' is an error')
    end
    H.idle(client)
    H.eq({}, H.chant_calls(), 'chant calls (chant must not run)')
  end },

  { 'no code action and no code lens runs chant', function()
    -- Neovim 0.11 shows no disabled code actions (it does not advertise
    -- codeAction.disabledSupport), so the server leaves refused ones out.
    local result = H.request(buf, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = { start = { line = 7, character = 0 }, ['end'] = { line = 7, character = 0 } },
      context = { diagnostics = {} },
    }) or {}
    local chant = {}
    for _, a in ipairs(result) do
      local command = a.command and (type(a.command) == 'table' and a.command.command or a.command)
      if (command and vim.startswith(command, 'chant.') and command ~= 'chant.applyFix') or a.disabled then
        table.insert(chant, a.title)
      end
    end
    H.eq({}, chant, 'code actions that run chant')
    local lenses = H.request(buf, 'textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(buf) } }) or {}
    local commands = vim.tbl_filter(function(l)
      return l.command and l.command.command ~= ''
    end, lenses)
    H.eq({}, commands, 'code lenses that run a command')
  end },
})
