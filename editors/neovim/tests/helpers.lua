-- Helpers for chant.nvim's end-to-end tests in headless Neovim 0.11.
--
-- Each test file runs in its own Neovim:
--   nvim --headless -u NONE -i NONE -n -l editors/neovim/tests/test_X.lua
-- with CHANT_LSP (the server binary), CHANT_REAL (the real chant 0.23.2,
-- from scripts/build-real-chant) and CHANT_STANDIN (the stand-in chant, for
-- timing cases) set by scripts/test-editors. A test copies
-- editors/test-fixtures/demo into a temporary git repository and drives the
-- real plugin against the real server; chant runs the scripted agent
-- editors/test-fixtures/agent/claude, put on PATH as `claude`. Any failure
-- raises an error, which makes nvim exit non-zero; the server's log
-- (lsp.log) and chant's calls are printed first.
--
-- Tests wait for events (a progress ending, a publication, the server idle
-- through chant/serverStatus {waitForIdle}), never for time.

local H = {}

local uv = vim.uv

H.repo = vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h'))
H.server = assert(os.getenv('CHANT_LSP'), 'set CHANT_LSP to the chant-lsp binary')
H.standin = assert(os.getenv('CHANT_STANDIN'), 'set CHANT_STANDIN to the stand-in chant binary')
--- The real chant (nil: tests that need it fail, or skip when the run opted
--- out with CHANT_LSP_SKIP_REAL_CHANT=1; see H.need_real).
H.real = os.getenv('CHANT_REAL')
if H.real == '' then
  H.real = nil
end
H.skip_real = os.getenv('CHANT_LSP_SKIP_REAL_CHANT') == '1'
H.skip_missing = os.getenv('CHANT_EDITOR_TESTS_SKIP_MISSING') == '1'
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

--- Diagnostics received (publishDiagnostics, or a pulled result), by URI (count).
H.published = {}
--- The document version of the latest publication, by URI.
H.published_version = {}
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
  if params and params.uri then
    H.published[params.uri] = (H.published[params.uri] or 0) + 1
    H.published_version[params.uri] = params.version
  end
  return publish(err, params, ctx, config)
end
-- Clients that pull diagnostics (textDocument/diagnostic) get none pushed:
-- a pulled result counts as a publication, for the version it was asked for.
local pulled = vim.lsp.handlers['textDocument/diagnostic']
vim.lsp.handlers['textDocument/diagnostic'] = function(err, result, ctx, config)
  local uri = ctx and ctx.params and ctx.params.textDocument and ctx.params.textDocument.uri
  if uri and result and not err then
    H.published[uri] = (H.published[uri] or 0) + 1
    H.published_version[uri] = ctx.version
  end
  return pulled(err, result, ctx, config)
end

--- window/showMessageRequest from the server, newest last. Neovim's own
--- handler runs (it asks with vim.ui.select, which the tests answer through
--- H.answer_select).
H.message_requests = {}
local message_request = vim.lsp.handlers['window/showMessageRequest']
vim.lsp.handlers['window/showMessageRequest'] = function(err, params, ctx)
  table.insert(H.message_requests, params)
  return message_request(err, params, ctx)
end

--- window/showMessage from the server (how a run ended, what the editor
--- did), newest last: { type, message }. Neovim's own handler echoes it.
H.messages = {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, params, ctx)
  table.insert(H.messages, params)
  return show_message(err, params, ctx)
end

--- window/showDocument requests from the server, newest last (Neovim's own
--- handler opens the file).
H.shown = {}
local show_document = vim.lsp.handlers['window/showDocument']
vim.lsp.handlers['window/showDocument'] = function(err, params, ctx)
  table.insert(H.shown, params)
  return show_document(err, params, ctx)
end

--- What the user answers: vim.ui.select and vim.ui.input take the next
--- answer queued with H.answer_select / H.answer_input (a string: the item
--- whose text is that, or the text typed; false: <Esc>). Without an answer
--- queued, the prompt is dismissed. Each prompt is recorded in H.prompts.
H.prompts = {}
local select_answers, input_answers = {}, {}
function H.answer_select(...)
  vim.list_extend(select_answers, { ... })
end
function H.answer_input(...)
  vim.list_extend(input_answers, { ... })
end
vim.ui.select = function(items, opts, on_choice)
  opts = opts or {}
  local format = opts.format_item or tostring
  local texts = vim.tbl_map(format, items)
  table.insert(H.prompts, { kind = 'select', prompt = opts.prompt, items = texts })
  local answer = table.remove(select_answers, 1)
  for i, text in ipairs(texts) do
    if answer and (text == answer or (type(answer) == 'string' and answer:sub(1, 1) == '~' and text:find(answer:sub(2), 1, true))) then
      return on_choice(items[i], i)
    end
  end
  if answer then
    io.stderr:write(('[ui.select] no item %q among %s: dismissed\n'):format(tostring(answer), vim.inspect(texts)))
  end
  on_choice(nil, nil)
end
vim.ui.input = function(opts, on_confirm)
  table.insert(H.prompts, { kind = 'input', prompt = (opts or {}).prompt })
  local answer = table.remove(input_answers, 1)
  on_confirm(answer or nil)
end

--- Progress events of the chant clients: { token, kind, title, message }.
H.progress = {}
--- Progress tokens begun and not ended.
H.running = {}
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local v = ev.data.params.value or {}
    local token = ev.data.params.token
    table.insert(H.progress, { token = token, kind = v.kind, title = v.title, message = v.message })
    H.running[token] = v.kind ~= 'end' or nil
  end,
})

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

local function write(path, text, mode)
  vim.fn.mkdir(vim.fs.dirname(path), 'p')
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
  if mode then
    assert(uv.fs_chmod(path, mode))
  end
end
H.write = write

--- The prompts chant's verify and split use; `TASK:` tells the scripted
--- agent what to do.
H.WALK_PROMPTS = {
  verify = '---\nname: verify\npurpose: Verify a spec\n---\nTASK: verify {{spec.id}}\n',
  split = '---\nname: split\npurpose: Split a spec\n---\nTASK: split {{spec.id}}: {{spec.title}}\n',
}

--- Copies the demo fixture into a fresh git repository and returns its
--- real path. chant is the real one (CHANT_REAL) behind a wrapper that logs
--- its arguments, with the scripted agent on PATH as `claude`; with
--- `{ server_only = true }` (tests that need only the server and prove that
--- chant never runs) the stand-in behind the same wrapper, so they run
--- without the real chant; with `{ standin = true }` the stand-in chant
--- failing on demand (timing cases). `{ walk = true }`
--- adds the verify and split prompts; `{ specs = { [id] = text } }` adds
--- specs. The project gets a name of its own,
--- so chant's worktrees (/tmp/chant-<name>-<id>) never meet another test's.
function H.project(opts)
  opts = opts or {}
  local dir = vim.fn.tempname() .. '-chant-demo'
  sh({ 'cp', '-R', H.repo .. '/editors/test-fixtures/demo', dir })
  dir = uv.fs_realpath(dir)
  H.name = 'demo' .. tostring(uv.hrtime()):sub(-9)
  local config = read(dir .. '/.chant/config.md'):gsub('name: demo\n', 'name: ' .. H.name .. '\n')
  write(dir .. '/.chant/config.md', config)
  if opts.walk then
    for name, text in pairs(H.WALK_PROMPTS) do
      write(dir .. '/.chant/prompts/' .. name .. '.md', text)
    end
  end
  for id, text in pairs(opts.specs or {}) do
    write(dir .. '/.chant/specs/' .. id .. '.md', text)
  end
  -- Files older than any run, as in a real checkout: a file written in the
  -- second a spec completes would count as drift (changed after it).
  sh({ 'find', dir, '-exec', 'touch', '-h', '-d', '2026-01-01T00:00:00Z', '{}', '+' })
  sh({ 'git', 'init', '-q', '-b', 'main' }, dir)
  sh({ 'git', 'config', 'user.name', 'Test User' }, dir)
  sh({ 'git', 'config', 'user.email', 'test@example.com' }, dir)
  sh({ 'git', 'config', 'commit.gpgsign', 'false' }, dir)
  -- chant's merge driver for specs, as `chant init` configures it.
  sh({ 'git', 'config', 'merge.chant-spec.name', 'Chant spec merge driver' }, dir)
  sh({ 'git', 'config', 'merge.chant-spec.driver', 'chant merge-driver %O %A %B' }, dir)
  sh({ 'git', 'add', '-A' }, dir)
  sh({ 'git', 'commit', '-q', '-m', 'initial' }, dir)
  H.root = dir
  local scratch = vim.fn.tempname() .. '-scratch'
  H.scratch = scratch
  H.agent_dir = scratch .. '/agent'
  vim.fn.mkdir(H.agent_dir, 'p')
  vim.fn.mkdir(scratch .. '/home', 'p')
  vim.env.AGENT_DIR = H.agent_dir
  vim.env.GIT_AUTHOR_NAME = 'Test User'
  vim.env.GIT_AUTHOR_EMAIL = 'test@example.com'
  vim.env.GIT_COMMITTER_NAME = 'Test User'
  vim.env.GIT_COMMITTER_EMAIL = 'test@example.com'
  vim.env.GIT_CONFIG_NOSYSTEM = '1'
  vim.env.NO_COLOR = '1'
  H.standin_log = scratch .. '/standin-log.jsonl'
  H.argv_log = scratch .. '/argv.log'
  vim.env.STANDIN_LOG = H.standin_log
  vim.env.STANDIN_WORKTREE_DIR = scratch .. '/worktrees'
  vim.env.CHANT_ARGV_LOG = H.argv_log
  if opts.standin then
    -- The stand-in, failing on purpose while $AGENT_DIR/fail exists (the
    -- server keeps the environment it started with).
    H.chant = scratch .. '/bin/chant'
    write(H.chant, ('#!/bin/sh\n[ -f "$AGENT_DIR/fail" ] && export STANDIN_AGENT_FAIL=1\nexec \'%s\' "$@"\n'):format(H.standin), 493)
  else
    local chant = H.standin
    if not opts.server_only then
      H.need_real()
      chant = H.real
    end
    -- chant as the server runs it: each call's arguments go to the argv log
    -- (arguments separated by 0x1f, calls ended by 0x1e), then chant.
    H.chant = scratch .. '/bin/chant'
    write(H.chant, ("#!/bin/sh\n{ for a in \"$@\"; do printf '%%s\\037' \"$a\"; done; printf '\\036'; } >> \"$CHANT_ARGV_LOG\"\nexec '%s' \"$@\"\n"):format(chant), 493)
    write(scratch .. '/bin/claude', read(H.repo .. '/editors/test-fixtures/agent/claude'), 493)
    -- A private home: the machine's ~/.config/chant never interferes.
    vim.env.HOME = scratch .. '/home'
    vim.env.PATH = scratch .. '/bin:' .. vim.env.PATH
  end
  return dir
end

--- The test file needs the real chant: without it, it fails, or, when the
--- run opted out (CHANT_LSP_SKIP_REAL_CHANT=1), it is skipped, loudly, with
--- a `SKIP (reason) what` line scripts/test-editors counts.
function H.need_real()
  if H.real then
    return
  end
  local file = vim.fs.basename(debug.getinfo(3, 'S').short_src or '?')
  if H.skip_real then
    io.stderr:write('skipping ' .. file .. ': it needs the real chant, and CHANT_LSP_SKIP_REAL_CHANT=1\n')
    io.stdout:write('SKIP (CHANT_LSP_SKIP_REAL_CHANT=1) ' .. file .. ': every case (needs the real chant)\n')
    os.exit(0)
  end
  io.stderr:write('FAIL ' .. file .. ': needs the real chant 0.23.2, and CHANT_REAL is not set '
    .. '(scripts/install-test-deps provides it; CHANT_LSP_SKIP_REAL_CHANT=1 skips the tests that need it)\n')
  os.exit(1)
end

--- chant's calls so far (the real chant's wrapper log, or the stand-in's
--- log), each a list of arguments; chant's own calls to itself as git's
--- merge driver are left out.
function H.chant_calls()
  local calls = {}
  if H.read(H.standin_log) then
    for line in (read(H.standin_log) or ''):gmatch('[^\n]+') do
      table.insert(calls, vim.json.decode(line))
    end
    return calls
  end
  for record in (read(H.argv_log) or ''):gmatch('[^\30]+') do
    local argv = {}
    for arg in record:gmatch('([^\31]*)\31') do
      table.insert(argv, arg)
    end
    if argv[1] ~= 'merge-driver' then
      table.insert(calls, argv)
    end
  end
  return calls
end

--- The value of `flag` in an argument list (`--flag value` or `--flag=value`).
function H.flag_value(args, flag)
  for i, a in ipairs(args) do
    if a == flag then
      return args[i + 1]
    end
    if vim.startswith(a, flag .. '=') then
      return a:sub(#flag + 2)
    end
  end
end

--- Dumps what helps to understand a failure.
function H.dump_logs()
  local log = read(vim.lsp.log.get_filename()) or '(no lsp.log)'
  local lines = vim.split(log, '\n')
  local from = math.max(1, #lines - 120)
  io.stderr:write('\n---- lsp.log (last ' .. (#lines - from + 1) .. ' lines): ' .. vim.lsp.log.get_filename() .. '\n')
  io.stderr:write(table.concat(lines, '\n', from) .. '\n')
  if H.root then
    io.stderr:write('---- chant calls:\n' .. vim.inspect(H.chant_calls()) .. '\n')
  end
  io.stderr:write('---- progress:\n' .. vim.inspect(H.progress) .. '\n')
  io.stderr:write('---- message requests:\n' .. vim.inspect(H.message_requests) .. '\n')
  io.stderr:write('---- messages:\n' .. vim.inspect(H.messages) .. '\n')
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
    path = H.chant or H.standin,
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

--- Waits until the client has diagnostics for `bufnr` from the server
--- (pushed or pulled) at least once (it has read the project), and returns
--- the client.
function H.ready(bufnr)
  local client = H.client(bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  H.wait('first diagnostics (pushed or pulled) for ' .. uri, function()
    return (H.published[uri] or 0) > 0
  end)
  return client
end

--- Raised by H.missing: the server lacks a feature (H.run reports it as a
--- SKIP with CHANT_EDITOR_TESTS_SKIP_MISSING=1, else as a failure).
local Missing = {}
Missing.__index = Missing
Missing.__tostring = function(m)
  return m.msg
end

--- The server lacks `feature`: the test cannot run.
function H.missing(feature, detail)
  error(setmetatable({ msg = ('MISSING SERVER FEATURE: server has no %s yet%s'):format(
    feature, detail and (' (' .. detail .. ')') or '') }, Missing), 2)
end

--- The server's capabilities for a feature, or a failure naming the
--- missing server feature (a loud skip with CHANT_EDITOR_TESTS_SKIP_MISSING=1).
function H.require_capability(client, cap, feature)
  if client.server_capabilities[cap] then
    return client.server_capabilities[cap]
  end
  H.missing(feature, ('it does not advertise %s; capabilities: %s'):format(
    cap, table.concat(vim.tbl_keys(client.server_capabilities), ', ')))
end

--- The server runs `command` (workspace/executeCommand), or the test is missing it.
function H.require_command(client, command)
  local provider = client.server_capabilities.executeCommandProvider or {}
  if not vim.list_contains(provider.commands or {}, command) then
    H.missing(command, 'executeCommandProvider.commands: ' .. table.concat(provider.commands or {}, ', '))
  end
end

--- The server answers `method`, or the test is missing it.
function H.require_request(client, method, params)
  local res = client:request_sync(method, params or {}, H.timeout)
  if res and res.err and res.err.code == -32601 then
    H.missing(method, 'method not found')
  end
  return res and res.result
end

--- chant/serverStatus once the server is idle (nothing scheduled, no file
--- change waiting): after it, a test's "nothing happened" check is sound.
function H.idle(client)
  local res = client:request_sync('chant/serverStatus', { waitForIdle = true }, H.timeout)
  if not res then
    H.fail('chant/serverStatus: no answer within ' .. H.timeout .. ' ms')
  end
  if res.err then
    H.fail('chant/serverStatus failed: ' .. vim.inspect(res.err))
  end
  return res.result
end

--- Waits until every chant run the server reported has ended, then until
--- the server is idle.
function H.runs_finished(client)
  H.wait('the chant runs to end', function()
    return next(H.running) == nil
  end, 60000)
  if client then
    H.wait('no chant run going on', function()
      return #H.idle(client).running == 0
    end, 60000)
  end
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

--- Removes the worktrees the real chant left in /tmp for this test's project.
function H.cleanup()
  if H.name then
    for name in vim.fs.dir('/tmp') do
      if vim.startswith(name, 'chant-' .. H.name .. '-') then
        vim.fn.delete('/tmp/' .. name, 'rf')
      end
    end
  end
end

--- Runs the tests in `cases` ({ name, fn } pairs) in order, then quits.
function H.run(cases)
  local started = uv.hrtime()
  local skipped = 0
  for _, case in ipairs(cases) do
    local t0 = uv.hrtime()
    local missing
    local ok, err = xpcall(case[2], function(e)
      if getmetatable(e) == Missing then
        missing = e
        return e.msg
      end
      return debug.traceback(e)
    end)
    if missing and H.skip_missing then
      io.stdout:write(('\nSKIP (CHANT_EDITOR_TESTS_SKIP_MISSING=1) %s: %s\n'):format(case[1], missing.msg))
      io.stderr:write(('skipping %s: %s\n'):format(case[1], missing.msg))
      skipped = skipped + 1
    elseif not ok then
      if missing then
        H.dump_logs()
      end
      io.stderr:write(('\nFAIL %s\n%s\n'):format(case[1], err))
      H.cleanup()
      os.exit(1)
    else
      io.stdout:write(('\nok   %s (%d ms)'):format(case[1], (uv.hrtime() - t0) / 1e6))
    end
  end
  if skipped > 0 then
    io.stdout:write(('\n%d passed, %d SKIPPED (missing server features) in %d ms\n'):format(
      #cases - skipped, skipped, (uv.hrtime() - started) / 1e6))
  else
    io.stdout:write(('\nall %d passed in %d ms\n'):format(#cases, (uv.hrtime() - started) / 1e6))
  end
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop(true)
  end
  vim.wait(500, function()
    return #vim.lsp.get_clients() == 0
  end)
  H.cleanup()
  os.exit(0)
end

return H
