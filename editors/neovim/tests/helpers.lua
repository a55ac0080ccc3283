-- Helpers for chant.nvim's end-to-end tests in headless Neovim 0.11.
--
-- Each test file runs in its own Neovim:
--   nvim --headless -u NONE -i NONE -n -l editors/neovim/tests/test_X.lua
-- with CHANT_LSP (the server binary) and CHANT_STANDIN (the stand-in chant)
-- set by scripts/test-editors. A test copies editors/test-fixtures/demo into
-- a temporary git repository and drives the real plugin against the real
-- server. Any failure raises an error, which makes nvim exit non-zero; the
-- server's log (lsp.log) and the stand-in's log are printed first.

local H = {}

local uv = vim.uv

H.repo = vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h'))
H.server = assert(os.getenv('CHANT_LSP'), 'set CHANT_LSP to the chant-lsp binary')
H.standin = assert(os.getenv('CHANT_STANDIN'), 'set CHANT_STANDIN to the stand-in chant binary')
H.timeout = tonumber(os.getenv('CHANT_NVIM_TIMEOUT_MS') or '') or 15000

-- Keep lsp.log and other state out of the home folder.
H.state = vim.fn.tempname()
vim.fn.mkdir(H.state, 'p')
vim.env.XDG_STATE_HOME = H.state
vim.env.XDG_CONFIG_HOME = H.state .. '/config'
vim.env.XDG_DATA_HOME = H.state .. '/data'
vim.lsp.log.set_level(vim.log.levels.DEBUG)

vim.opt.runtimepath:prepend(H.repo .. '/editors/neovim')
vim.cmd('filetype on')
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. 'F'

--- publishDiagnostics notifications received, by URI (count).
H.published = {}
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
  if params and params.uri then
    H.published[params.uri] = (H.published[params.uri] or 0) + 1
  end
  return publish(err, params, ctx, config)
end

--- window/showMessageRequest from the server, newest last. Neovim's own
--- handler asks with inputlist(), which blocks a headless test: record the
--- request and answer with `H.answer_message_request(params)` (default: no
--- choice, as when the user presses <Esc>).
H.message_requests = {}
H.answer_message_request = function()
  return vim.NIL
end
vim.lsp.handlers['window/showMessageRequest'] = function(_, params)
  table.insert(H.message_requests, params)
  return H.answer_message_request(params)
end

--- Messages shown with vim.notify, newest last.
H.notes = {}
vim.notify = function(msg, level)
  table.insert(H.notes, { msg = msg, level = level })
  io.stderr:write(('[notify %s] %s\n'):format(tostring(level), msg))
end

local function read(path)
  local f = io.open(path, 'r')
  if not f then
    return nil
  end
  local s = f:read('*a')
  f:close()
  return s
end
H.read = read

local function sh(cmd, cwd)
  local r = vim.system(cmd, { cwd = cwd, text = true }):wait()
  if r.code ~= 0 then
    error(('command failed (%d): %s\n%s%s'):format(r.code, table.concat(cmd, ' '), r.stdout, r.stderr), 2)
  end
  return r.stdout
end
H.sh = sh

--- Copies the demo fixture into a fresh git repository and returns its
--- real path (the stand-in chant needs a committed `.chant/`).
function H.project()
  local dir = vim.fn.tempname() .. '-chant-demo'
  sh({ 'cp', '-R', H.repo .. '/editors/test-fixtures/demo', dir })
  dir = uv.fs_realpath(dir)
  sh({ 'git', 'init', '-q', '-b', 'main' }, dir)
  sh({ 'git', 'config', 'user.name', 'Test User' }, dir)
  sh({ 'git', 'config', 'user.email', 'test@example.com' }, dir)
  sh({ 'git', 'config', 'commit.gpgsign', 'false' }, dir)
  sh({ 'git', 'add', '-A' }, dir)
  sh({ 'git', 'commit', '-q', '-m', 'initial' }, dir)
  H.root = dir
  H.standin_log = vim.fn.tempname() .. '-standin-log.jsonl'
  vim.env.STANDIN_LOG = H.standin_log
  vim.env.STANDIN_WORKTREE_DIR = vim.fn.tempname() .. '-worktrees'
  return dir
end

--- Dumps what helps to understand a failure.
function H.dump_logs()
  local log = read(vim.lsp.log.get_filename()) or '(no lsp.log)'
  local lines = vim.split(log, '\n')
  local from = math.max(1, #lines - 120)
  io.stderr:write('\n---- lsp.log (last ' .. (#lines - from + 1) .. ' lines): ' .. vim.lsp.log.get_filename() .. '\n')
  io.stderr:write(table.concat(lines, '\n', from) .. '\n')
  if H.standin_log then
    io.stderr:write('---- stand-in chant log:\n' .. (read(H.standin_log) or '(chant never ran)\n'))
  end
  io.stderr:write('---- notifications:\n')
  for _, n in ipairs(H.notes) do
    io.stderr:write(('  [%s] %s\n'):format(tostring(n.level), n.msg))
  end
end

--- Fails the test with a message (and the logs).
function H.fail(msg)
  H.dump_logs()
  error(msg, 2)
end

function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    H.dump_logs()
    error(('%s:\n  expected: %s\n  actual:   %s'):format(what or 'values differ', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function H.ok(cond, what)
  if not cond then
    H.dump_logs()
    error('assertion failed: ' .. (what or '?'), 2)
  end
end

--- Waits until `pred()` is truthy; fails with `what` after the timeout.
function H.wait(what, pred, ms)
  local ok = vim.wait(ms or H.timeout, function()
    local good, v = pcall(pred)
    return good and v
  end, 20)
  if not ok then
    H.dump_logs()
    error('timed out waiting for ' .. what, 2)
  end
end

--- Sets up the plugin with the test's server and stand-in chant.
function H.setup(opts)
  require('chant').setup(vim.tbl_deep_extend('force', {
    cmd = { H.server },
    path = H.standin,
    approverName = 'Test User',
    diagnostics = { debounceMs = 20 },
  }, opts or {}))
end

--- Opens `rel` (relative to the project) and returns its buffer.
function H.open(rel)
  vim.cmd.edit(vim.fn.fnameescape(H.root .. '/' .. rel))
  return vim.api.nvim_get_current_buf()
end

--- Waits for the chant client on `bufnr` to be initialised.
function H.client(bufnr)
  local client
  H.wait('the chant client to attach to ' .. vim.api.nvim_buf_get_name(bufnr), function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'chant' })[1]
    return client and client.initialized
  end)
  return client
end

--- Waits until the server has published diagnostics for `bufnr` at least
--- once (it has read the project), and returns the client.
function H.ready(bufnr)
  local client = H.client(bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  H.wait('a first publishDiagnostics for ' .. uri, function()
    return (H.published[uri] or 0) > 0
  end)
  return client
end

--- The server's capabilities for a feature, or a failure naming the
--- missing server feature. With CHANT_EDITOR_TESTS_SKIP_MISSING=1 the test
--- file is skipped instead (exit 0, loudly).
function H.require_capability(client, cap, feature)
  if client.server_capabilities[cap] then
    return client.server_capabilities[cap]
  end
  local msg = ('MISSING SERVER FEATURE: the server does not advertise %s (%s); capabilities: %s'):format(
    cap, feature, table.concat(vim.tbl_keys(client.server_capabilities), ', '))
  if os.getenv('CHANT_EDITOR_TESTS_SKIP_MISSING') == '1' then
    io.stderr:write('SKIP ' .. msg .. '\n')
    os.exit(0)
  end
  H.fail(msg)
end

--- chant diagnostics of `bufnr`, as { code, {l1,c1,l2,c2}, severity } sorted by position.
function H.diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'chant' then
      table.insert(out, { d.code, { d.lnum, d.col, d.end_lnum, d.end_col }, d.severity })
    end
  end
  table.sort(out, function(a, b)
    if a[2][1] ~= b[2][1] then
      return a[2][1] < b[2][1]
    end
    return a[2][2] < b[2][2]
  end)
  return out
end

--- Buffer text as one string (lines joined with \n).
function H.text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

--- Sends a request through the real client and returns its result.
function H.request(bufnr, method, params)
  local client = H.client(bufnr)
  local res = client:request_sync(method, params, H.timeout, bufnr)
  if not res then
    H.fail(method .. ': no answer within ' .. H.timeout .. ' ms')
  end
  if res.err then
    H.fail(method .. ' failed: ' .. vim.inspect(res.err))
  end
  return res.result
end

--- Position params for line `line` (0-based) at the byte column of the end
--- of `needle` on that line, in the client's offset encoding.
function H.position_after(bufnr, line, needle)
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  local s, e = text:find(needle, 1, true)
  H.ok(s, ('%q on line %d (%q)'):format(needle, line, text))
  return { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = e } }
end

--- Runs the tests in `cases` ({ name, fn } pairs) in order, then quits.
function H.run(cases)
  local started = uv.hrtime()
  for _, case in ipairs(cases) do
    local t0 = uv.hrtime()
    local ok, err = xpcall(case[2], debug.traceback)
    if not ok then
      io.stderr:write(('\nFAIL %s\n%s\n'):format(case[1], err))
      os.exit(1)
    end
    io.stdout:write(('\nok   %s (%d ms)'):format(case[1], (uv.hrtime() - t0) / 1e6))
  end
  io.stdout:write(('\nall %d passed in %d ms\n'):format(#cases, (uv.hrtime() - started) / 1e6))
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop(true)
  end
  vim.wait(500, function()
    return #vim.lsp.get_clients() == 0
  end)
  os.exit(0)
end

return H
