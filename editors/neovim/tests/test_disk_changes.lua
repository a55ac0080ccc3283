-- Changes on disk in a Neovim that registers no file watchers (0.11 on
-- Linux): a spec written from a terminal and then changed by the real chant
-- (chant approve, chant add) reaches the open spec's diagnostics and
-- :ChantSpecs, through the server's own watcher. Every step waits for the
-- event that proves it (a publication, a list that says so).
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

local A_ID, B_ID = '2026-11-21-002-aaa', '2026-11-21-001-bbb'
local A_TEXT = '---\ndepends_on: [' .. B_ID .. ']\n---\n# A waits for B\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Add b\n- [x] Add c\n- [x] Add d\n'
local B_TEXT = '---\napproval:\n  required: true\n---\n# B waits for approval\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Add b\n- [x] Add c\n- [x] Add d\n'

H.project({ specs = { [A_ID] = A_TEXT } })

--- The server's window/logMessage lines, newest last.
local logged = {}
local log_message = vim.lsp.handlers['window/logMessage']
vim.lsp.handlers['window/logMessage'] = function(err, params, ctx)
  table.insert(logged, params.message)
  return log_message(err, params, ctx)
end

H.setup()

local buf, client

--- Runs a command line in the project with sh, as a user does in a terminal
--- beside the editor.
local function terminal(cmdline)
  return H.sh({ 'sh', '-c', cmdline }, H.root)
end

local function codes(bufnr)
  return vim.tbl_map(function(d)
    return d[1]
  end, H.diagnostics(bufnr))
end

--- The spec list's entry for `id` (chant/specList, what :ChantSpecs shows).
local function listed(id)
  local result = H.request(buf, 'chant/specList', { rootUri = vim.uri_from_fname(H.root) })
  for _, spec in ipairs(result.projects[1].specs) do
    if spec.id == id then
      return spec
    end
  end
end

--- The lines :ChantSpecs shows (the picker is dismissed).
local function picker_lines()
  local before = #H.prompts
  vim.cmd('ChantSpecs')
  H.wait('the spec picker', function()
    return #H.prompts > before
  end)
  return H.prompts[#H.prompts].items
end

local function line_of(lines, id)
  for _, line in ipairs(lines) do
    if line:find(id, 1, true) then
      return line
    end
  end
end

H.run({
  { 'Neovim registers no file watchers: the server watches the project itself', function()
    local caps = vim.lsp.protocol.make_client_capabilities()
    H.eq(false, caps.workspace.didChangeWatchedFiles.dynamicRegistration,
      "Neovim's didChangeWatchedFiles.dynamicRegistration on Linux")
    buf = H.open('.chant/specs/' .. A_ID .. '.md')
    client = H.ready(buf)
    H.wait('the server to say it watches the project', function()
      for _, m in ipairs(logged) do
        if m:match('^chant%-lsp: watching %d+ folders for changes on disk') then
          return true
        end
      end
    end)
    H.wait('"Unknown dependency" on the open spec', function()
      return vim.deep_equal({ 'chant/unknown-dependency' }, codes(buf))
    end)
    H.eq(nil, listed(B_ID), 'the dependency is not listed yet')
  end },

  { 'a spec written from a terminal resolves the open spec\'s dependency and is listed', function()
    local path = '.chant/specs/' .. B_ID .. '.md'
    terminal("cat > '" .. path .. "' <<'EOF'\n" .. B_TEXT .. 'EOF\n')
    H.wait('"Unknown dependency" to give way to the unmet dependency', function()
      return vim.deep_equal({ 'chant/unmet-dependency' }, codes(buf))
    end)
    H.wait('the new spec in the list', function()
      local b = listed(B_ID)
      return b and b.readiness == 'needs_approval'
    end)
    local line = line_of(picker_lines(), B_ID)
    H.ok(line and vim.startswith(line, 'needs approval ' .. B_ID .. '  B waits for approval'),
      ':ChantSpecs shows the new spec: ' .. tostring(line))
  end },

  { 'chant approve and chant add in a terminal reach :ChantSpecs', function()
    terminal('git add -A && git commit -q -m "B" && chant approve ' .. B_ID .. ' --by Tester')
    H.ok(H.read(H.root .. '/.chant/specs/' .. B_ID .. '.md'):find('status: approved', 1, true),
      'chant approved the spec on disk')
    H.wait('the approved spec in the list', function()
      local b = listed(B_ID)
      return b and b.readiness ~= 'needs_approval'
    end)
    local out = terminal('chant add "Watch the disk"')
    local new_id = out:match('Created (%S+)')
    H.ok(new_id, 'chant add printed the new ID:\n' .. out)
    H.wait('the added spec in the list', function()
      return listed(new_id) ~= nil
    end)
    local lines = picker_lines()
    local b_line = line_of(lines, B_ID)
    H.ok(b_line and not vim.startswith(b_line, 'needs approval'), ':ChantSpecs shows the approval: ' .. tostring(b_line))
    local new_line = line_of(lines, new_id)
    H.ok(new_line and new_line:find(new_id .. '  Watch the disk', 1, true),
      ':ChantSpecs shows the added spec: ' .. tostring(new_line))
    -- The open spec still waits for B (approved, not completed).
    H.eq({ 'chant/unmet-dependency' }, codes(buf), 'the open spec')
  end },
})
