-- chant.nvim: chant-lsp for chant spec files in Neovim 0.11+.
--
--   require('chant').setup({
--     cmd = { 'chant-lsp' },                 -- the server (default: chant-lsp on PATH)
--     path = 'chant',                        -- chant.path: the chant executable the server runs
--     approverName = 'Ada',                  -- chant.approverName (default: git config user.name)
--     diagnostics = { disabled = { 'chant/unchecked-criterion' }, debounceMs = 200 },
--     commands = { enabled = false, timeoutSeconds = 600 }, -- enabled: let the server run chant
--     progress = true,                       -- echo chant runs' progress messages
--   })
--
-- The server never runs chant unless `commands.enabled` is true: only turn
-- it on for projects you trust (chant runs an agent on your machine).

local M = {}

local NAME = 'chant'

--- Settings keys sent to the server (section `chant`).
local SETTING_KEYS = { 'path', 'approverName', 'diagnostics', 'commands' }

local defaults = {
  cmd = { 'chant-lsp' },
  commands = { enabled = false },
  progress = true,
}

M.options = nil

--- The folder holding `.chant/` above `path`, and whether `path` is a spec
--- (a Markdown file under `<root>/.chant/specs/`).
--- @param path string absolute path of a file
--- @return string? root, boolean is_spec
function M.spec_root(path)
  if path == nil or path == '' then
    return nil, false
  end
  path = vim.fs.normalize(path)
  local root = vim.fs.root(path, '.chant')
  if not root then
    return nil, false
  end
  local specs = vim.fs.joinpath(root, '.chant', 'specs') .. '/'
  local is_spec = path:sub(1, #specs) == specs and path:match('%.md$') ~= nil
  return root, is_spec
end

--- `root_dir` for vim.lsp.config: attach only to spec files, with the
--- project root (the folder holding `.chant/`) as the root. Other Markdown
--- buffers (a README, a prompt) get no client.
--- @param bufnr integer
--- @param on_dir fun(root: string?)
function M.root_dir(bufnr, on_dir)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root, is_spec = M.spec_root(name)
  if root and is_spec then
    on_dir(root)
  end
end

local function settings_of(opts)
  local s = {}
  for _, key in ipairs(SETTING_KEYS) do
    if opts[key] ~= nil then
      s[key] = vim.deepcopy(opts[key])
    end
  end
  s.commands = s.commands or {}
  if s.commands.enabled == nil then
    s.commands.enabled = false
  end
  return { chant = s }
end

local function notify(msg, level)
  vim.notify('chant: ' .. msg, level or vim.log.levels.INFO)
end

--- The chant client attached to `bufnr`, or nil (with a message).
--- @param bufnr integer
--- @param quiet boolean?
function M.client(bufnr, quiet)
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = NAME })
  local _, is_spec = M.spec_root(vim.api.nvim_buf_get_name(bufnr))
  if #clients == 0 and is_spec and M.options and not quiet then
    -- A spec just opened: its client attaches in a moment.
    vim.wait(3000, function()
      clients = vim.lsp.get_clients({ bufnr = bufnr, name = NAME })
      return #clients > 0
    end, 10)
  end
  if #clients == 0 then
    if not quiet then
      notify('no chant-lsp client for this buffer (open a spec under .chant/specs/)', vim.log.levels.WARN)
    end
    return nil
  end
  return clients[1]
end

--- Writes the modified buffers of the project's prompts (`.chant/prompts/`):
--- chant reads a prompt from disk when it runs, and a prompt the "Create
--- prompt" quick fix made is a buffer holding its template (the file on
--- disk is empty) until it is written.
--- @param root string the project root
function M.save_prompts(root)
  local prompts = vim.fs.joinpath(vim.fs.normalize(root), '.chant', 'prompts') .. '/'
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(b)
    if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified and vim.startswith(vim.fs.normalize(name), prompts) then
      vim.api.nvim_buf_call(b, function()
        vim.cmd('silent update')
      end)
    end
  end
end

--- Sends `workspace/executeCommand` for `command` with `args`, after saving
--- the buffer (chant works on the file on disk; for a project command,
--- `bufnr` nil, every modified spec buffer of the project) and the project's
--- modified prompts. Errors are reported with
--- vim.notify; the result arrives as `workspace/applyEdit` and
--- `window/showMessage` from the server.
--- @param client vim.lsp.Client
--- @param bufnr integer
--- @param command string
--- @param args any[]
--- @param on_done fun(err: table?, result: any)?
function M.execute(client, bufnr, command, args, on_done)
  if bufnr and vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].modified then
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd('silent update')
    end)
  elseif bufnr == nil and client.root_dir then
    -- A project command: chant reads every spec from disk.
    local specs = vim.fs.joinpath(vim.fs.normalize(client.root_dir), '.chant', 'specs') .. '/'
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      local name = vim.api.nvim_buf_get_name(b)
      if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified and vim.startswith(vim.fs.normalize(name), specs) then
        vim.api.nvim_buf_call(b, function()
          vim.cmd('silent update')
        end)
      end
    end
  end
  if client.root_dir then
    M.save_prompts(client.root_dir)
  end
  client:request('workspace/executeCommand', { command = command, arguments = args }, function(err, result)
    if err then
      notify(command .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    if on_done then
      on_done(err, result)
    end
  end, bufnr)
end

--- Asks for a rejection reason with vim.ui.input, then runs `chant.reject`.
--- Nothing is sent when the user cancels or gives an empty reason.
--- @param client vim.lsp.Client
--- @param bufnr integer
--- @param uri string
--- @param extra table? other arguments (`by`)
function M.reject_with_prompt(client, bufnr, uri, extra)
  vim.ui.input({ prompt = 'Reason for rejecting the spec: ' }, function(reason)
    if reason == nil or vim.trim(reason) == '' then
      notify('rejection cancelled: a reason is required')
      return
    end
    local arg = vim.tbl_extend('force', extra or {}, { reason = vim.trim(reason) })
    M.execute(client, bufnr, 'chant.reject', { uri, arg })
  end)
end

--- The loaded buffer of a spec URI, or nil.
local function loaded_buf(uri)
  if type(uri) ~= 'string' or not vim.startswith(uri, 'file:') then
    return nil
  end
  local b = vim.fn.bufnr(vim.uri_to_fname(uri))
  if b ~= -1 and vim.api.nvim_buf_is_loaded(b) then
    return b
  end
end

-- Client-side handler for `chant.reject` (the server's "Reject spec..."
-- code action and "✗ Reject…" lens): the server refuses a rejection without
-- a reason, so ask for it first.
local function reject_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local args = command.arguments or {}
  local uri = args[1] or vim.uri_from_bufnr(ctx.bufnr)
  local bufnr = loaded_buf(uri) or ctx.bufnr
  local extra = type(args[2]) == 'table' and args[2] or {}
  if type(extra.reason) == 'string' and vim.trim(extra.reason) ~= '' then
    M.execute(client, bufnr, 'chant.reject', { uri, extra })
  else
    M.reject_with_prompt(client, bufnr, uri, extra)
  end
end

-- ---- reviews and the agent's log --------------------------------------------

--- Makes a buffer read-only: a review or a log is looked at, not edited.
local function read_only(bufnr)
  vim.bo[bufnr].readonly = true
  vim.bo[bufnr].modifiable = false
end

--- A review document (the server writes it under the user's cache and shows
--- it with window/showDocument): read-only, highlighted as a diff, read
--- again when a later review of the spec replaces the file.
function M.review_buffer(bufnr)
  read_only(bufnr)
  vim.bo[bufnr].filetype = 'diff'
  vim.bo[bufnr].autoread = true
end

--- Puts the cursor of every window showing `bufnr` on its last line.
local function scroll_to_end(bufnr)
  local last = vim.api.nvim_buf_line_count(bufnr)
  for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
    vim.api.nvim_win_set_cursor(win, { last, 0 })
  end
end

--- The agent logs being followed: buffer number -> timer.
M.following = {}

local function stop_following(bufnr)
  local timer = M.following[bufnr]
  if timer then
    M.following[bufnr] = nil
    timer:stop()
    timer:close()
  end
end

--- After "Show agent log" (`result`: the server's answer, the log shown
--- with window/showDocument): the log read-only, scrolled to its end, and
--- while chant runs for the spec at `spec_uri`, followed as it grows
--- (`autoread` and a `checktime` every 300 ms, the windows kept at the end)
--- until the server no longer lists the run.
--- @param client vim.lsp.Client
--- @param spec_uri string
--- @param result table? { uri, shown, running }
function M.follow_log(client, spec_uri, result)
  if type(result) ~= 'table' or type(result.uri) ~= 'string' then
    return
  end
  local path = vim.uri_to_fname(result.uri)
  if not result.shown then
    vim.cmd.edit(vim.fn.fnameescape(path))
  end
  local bufnr = vim.fn.bufnr(path)
  if bufnr == -1 then
    return
  end
  read_only(bufnr)
  vim.bo[bufnr].autoread = true
  scroll_to_end(bufnr)
  if not result.running or M.following[bufnr] then
    return
  end
  -- Reloaded, or shown in a window (window/showDocument may show it after
  -- this answer is handled): at its end.
  vim.api.nvim_create_autocmd({ 'FileChangedShellPost', 'BufWinEnter' }, {
    group = vim.api.nvim_create_augroup('chant.log.' .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = function()
      read_only(bufnr)
      scroll_to_end(bufnr)
    end,
  })
  local spec = vim.fs.normalize(vim.uri_to_fname(spec_uri))
  local timer = assert(vim.uv.new_timer())
  M.following[bufnr] = timer
  timer:start(300, 300, vim.schedule_wrap(function()
    if not M.following[bufnr] then
      return
    end
    if not vim.api.nvim_buf_is_loaded(bufnr) then
      return stop_following(bufnr)
    end
    local before = vim.api.nvim_buf_line_count(bufnr)
    vim.cmd('checktime ' .. bufnr)
    -- A reload does not always fire FileChangedShellPost: what it brought
    -- is shown here too, in the same step (the user may scroll up between).
    if vim.api.nvim_buf_line_count(bufnr) ~= before then
      read_only(bufnr)
      scroll_to_end(bufnr)
    end
    client:request('chant/serverStatus', {}, function(err, status)
      local running = not err and status and vim.tbl_contains(vim.tbl_map(vim.fs.normalize, status.running or {}), spec)
      if not running and M.following[bufnr] then
        stop_following(bufnr)
        if vim.api.nvim_buf_is_loaded(bufnr) then
          local lines = vim.api.nvim_buf_line_count(bufnr)
          vim.cmd('checktime ' .. bufnr)
          if vim.api.nvim_buf_line_count(bufnr) ~= lines then
            read_only(bufnr)
            scroll_to_end(bufnr)
          end
        end
      end
    end)
  end))
end

--- A file's content for a side of a side-by-side review (`chant/fileAt`'s
--- answer), as lines.
local function content_lines(content)
  if content.kind == 'text' then
    local lines = vim.split(content.text, '\n', { plain = true })
    if lines[#lines] == '' then
      table.remove(lines)
    end
    return lines
  elseif content.kind == 'binary' then
    return { ('(a binary file of %d bytes: not shown)'):format(content.size) }
  elseif content.kind == 'tooLarge' then
    return { ('(a file of %d bytes: too large to show)'):format(content.size) }
  end
  return {}
end

--- Shows one file of a review side by side in a new tab: its version at
--- the merge base with the main branch on the left, the agent branch's on
--- the right, both read-only, in diff mode.
--- @param client vim.lsp.Client
--- @param result table the answer of `chant.review`
--- @param file table one of `result.review.files`
--- @param on_done fun()?
function M.side_by_side(client, result, file, on_done)
  local review = result.review
  local sides = { { rev = review.base, label = review.main .. '@' .. review.base:sub(1, 7) },
    { rev = review.head, label = review.branch } }
  local pending = #sides
  for _, side in ipairs(sides) do
    local params = { root = result.root, spec = review.id, rev = side.rev, path = file.path }
    client:request('chant/fileAt', params, function(err, content)
      if err then
        notify('chant/fileAt failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      side.lines = content_lines(content)
      pending = pending - 1
      if pending > 0 then
        return
      end
      vim.cmd('tabnew')
      for i, s in ipairs(sides) do
        if i > 1 then
          vim.cmd('rightbelow vnew')
        end
        local b = vim.api.nvim_get_current_buf()
        vim.bo[b].buftype = 'nofile'
        vim.bo[b].bufhidden = 'wipe'
        vim.bo[b].swapfile = false
        vim.api.nvim_buf_set_lines(b, 0, -1, false, s.lines)
        vim.api.nvim_buf_set_name(b, ('chant-review://%s/%s'):format(s.label, file.path))
        local ft = vim.filetype.match({ filename = file.path, buf = b })
        if ft then
          vim.bo[b].filetype = ft
        end
        read_only(b)
        vim.cmd('diffthis')
      end
      if on_done then
        on_done()
      end
    end)
  end
end

--- :ChantReview: the server shows the review of the agent's branch as a
--- read-only diff. :ChantReview! [path]: one file side by side (asked for
--- among the changed files when no path is given).
function M.review(client, bufnr, bang, path)
  local uri = vim.uri_from_bufnr(bufnr)
  if not bang then
    M.execute(client, bufnr, 'chant.review', { uri }, function(err, result)
      if err or type(result) ~= 'table' or not result.uri then
        return
      end
      local path = vim.uri_to_fname(result.uri)
      if not result.shown then
        vim.cmd.edit(vim.fn.fnameescape(path))
      elseif vim.fn.bufloaded(path) == 1 then
        -- Shown before: the buffer holds the previous review.
        vim.cmd('checktime ' .. vim.fn.bufnr(path))
      end
    end)
    return
  end
  M.execute(client, bufnr, 'chant.review', { uri, { open = false } }, function(err, result)
    if err or type(result) ~= 'table' then
      return
    end
    local files = vim.tbl_filter(function(f)
      return f.role ~= 'deletedSpec'
    end, result.review.files)
    if path and path ~= '' then
      for _, f in ipairs(files) do
        if f.path == path then
          return M.side_by_side(client, result, f)
        end
      end
      return notify(('%s is not among the files the agent changed'):format(path), vim.log.levels.WARN)
    end
    vim.ui.select(files, {
      prompt = 'Compare side by side',
      kind = 'chant_review_file',
      format_item = function(f)
        return ('%s %s'):format(f.status:sub(1, 1):upper(), f.path)
      end,
    }, function(f)
      if f then
        M.side_by_side(client, result, f)
      end
    end)
  end)
end

-- Client-side handler for the other chant commands of code actions and
-- code lenses: save the spec first (chant reads it from disk), then send.
local function spec_command_handler(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local args = command.arguments or {}
  local on_done
  if command.command == 'chant.showLog' then
    on_done = function(err, result)
      if not err then
        M.follow_log(client, args[1], result)
      end
    end
  end
  M.execute(client, loaded_buf(args[1]) or ctx.bufnr, command.command, args, on_done)
end

--- The server's spec commands the plugin handles on the client side.
local SPEC_COMMANDS = {
  'chant.work', 'chant.workWith', 'chant.approve', 'chant.applyAgentChanges', 'chant.merge', 'chant.archive',
  'chant.reset', 'chant.cancel', 'chant.verify', 'chant.split', 'chant.showLog', 'chant.review',
}

-- Client-side handler for `chant.open`, which follows a quick fix that
-- created a file with text ("Create prompt", "Create `path`"). Neovim put
-- that text into the one empty line of the new buffer, which leaves an
-- empty line more at the end, written as a blank line the file was not
-- given: dropped here, while the new file is still empty on disk. Then the
-- server opens it.
local function open_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local bufnr = loaded_buf((command.arguments or {})[1])
  if bufnr and vim.bo[bufnr].modified and vim.fn.getfsize(vim.api.nvim_buf_get_name(bufnr)) == 0 then
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    if #lines > 1 and lines[#lines] == '' then
      vim.api.nvim_buf_call(bufnr, function()
        pcall(vim.cmd, 'undojoin')
        vim.api.nvim_buf_set_lines(bufnr, -2, -1, false, {})
      end)
    end
  end
  client:request('workspace/executeCommand', { command = command.command, arguments = command.arguments }, nil, ctx.bufnr)
end

local function client_commands()
  local commands = { ['chant.reject'] = reject_command, ['chant.open'] = open_command }
  for _, name in ipairs(SPEC_COMMANDS) do
    commands[name] = spec_command_handler
  end
  return commands
end

--- Whether a loaded buffer holds exactly what its file holds on disk
--- (ignoring final newlines, which chant sometimes drops).
local function same_as_disk(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local f = io.open(name, 'rb')
  if not f then
    return false
  end
  local disk = f:read('*a')
  f:close()
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  return (disk:gsub('\r?\n$', '')) == (text:gsub('\n$', ''))
end

-- chant rewrites the spec on disk, and the server mirrors that into the
-- buffer with workspace/applyEdit. The buffer then equals the file but is
-- marked modified, and a later :write would ask whether to overwrite a file
-- changed since reading it. Reload such buffers (nothing is lost: they hold
-- the file's text); buffers the user changed meanwhile are left alone.
--- The text each file this edit creates is given (its creation, then
--- insertions into the empty file), by URI.
local function created_texts(edit)
  local created, texts = {}, {}
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.kind == 'create' then
      created[change.uri] = true
      texts[change.uri] = ''
    elseif change.textDocument and created[change.textDocument.uri] then
      for _, e in ipairs(change.edits or {}) do
        texts[change.textDocument.uri] = texts[change.textDocument.uri] .. (e.newText or '')
      end
    end
  end
  return texts
end

--- Neovim inserts a file's text into the one empty line of a new buffer,
--- which leaves one more empty line at the end ("a\n" becomes the lines
--- "a" and ""), written as a blank line the file never had: a file "Apply
--- agent changes" created would then differ from the agent's (and stand in
--- the way of merging its branch). Drop that line, and keep a missing final
--- newline missing.
local function fix_created_end(bufnr, text)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  if text == '' or table.concat(lines, '\n') ~= text then
    return
  end
  if text:sub(-1) == '\n' then
    vim.api.nvim_buf_call(bufnr, function()
      pcall(vim.cmd, 'undojoin')
      vim.api.nvim_buf_set_lines(bufnr, -2, -1, false, {})
    end)
    vim.bo[bufnr].eol = true
  else
    vim.bo[bufnr].eol = false
    vim.bo[bufnr].fixeol = false
  end
end

local function apply_edit_handler(err, params, ctx)
  local result = vim.lsp.handlers['workspace/applyEdit'](err, params, ctx)
  local uris = {}
  local edit = params and params.edit or {}
  if result and result.applied then
    for uri, text in pairs(created_texts(edit)) do
      local bufnr = vim.uri_to_bufnr(uri)
      if vim.api.nvim_buf_is_loaded(bufnr) then
        fix_created_end(bufnr, text)
      end
    end
  end
  for uri in pairs(edit.changes or {}) do
    uris[#uris + 1] = uri
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument then
      uris[#uris + 1] = change.textDocument.uri
    end
  end
  vim.schedule(function()
    for _, uri in ipairs(uris) do
      local bufnr = vim.uri_to_bufnr(uri)
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].modified and same_as_disk(bufnr) then
        vim.api.nvim_buf_call(bufnr, function()
          local view = vim.fn.winsaveview()
          vim.cmd('silent edit!')
          vim.fn.winrestview(view)
        end)
      end
    end
  end)
  return result
end

-- Neovim's window/showDocument handler first puts the word under the cursor
-- on the tag stack, and fails (E348) where there is none, before it opens
-- anything: in the empty buffer Neovim starts with, or on a blank line. The
-- document the server shows (the spec :ChantAdd made, a prompt a quick fix
-- created, an agent's log) is then opened here as Neovim would, without
-- that tag stack entry.
local function show_document_handler(err, params, ctx)
  local default = vim.lsp.handlers['window/showDocument']
  if err or not params or params.external or not params.takeFocus or pcall(vim.fn.expand, '<cword>') then
    return default(err, params, ctx)
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local bufnr = vim.uri_to_bufnr(params.uri)
  vim.cmd("normal! m'")
  local win = vim.fn.win_findbuf(bufnr)[1] or vim.api.nvim_get_current_win()
  vim.bo[bufnr].buflisted = true
  vim.api.nvim_win_set_buf(win, bufnr)
  vim.api.nvim_set_current_win(win)
  local at = params.selection and params.selection.start
  if at then
    local line = vim.api.nvim_buf_get_lines(bufnr, at.line, at.line + 1, false)[1] or ''
    local col = vim.str_byteindex(line, client and client.offset_encoding or 'utf-16', at.character, false)
    vim.api.nvim_win_set_cursor(win, { at.line + 1, col })
    vim.cmd('normal! zv')
  end
  return { success = true }
end

-- ---- project-level helpers ------------------------------------------------

--- A chant client for project commands: the current buffer's, else one
--- whose root holds the current directory, else the only one running, else
--- a new one (not attached to any buffer) for the project around the
--- current directory. Nil (with a message) when there is no chant project.
--- @return vim.lsp.Client?
function M.project_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local own = M.client(bufnr, true)
  if own then
    return own
  end
  local cwd = vim.fs.normalize(vim.fn.getcwd())
  local clients = vim.lsp.get_clients({ name = NAME })
  for _, c in ipairs(clients) do
    local root = c.root_dir and vim.fs.normalize(c.root_dir)
    if root and (cwd == root or vim.startswith(cwd, root .. '/')) then
      return c
    end
  end
  if #clients == 1 then
    return clients[1]
  end
  local root = vim.fs.root(cwd, '.chant')
  if not root then
    notify('no chant project here (no .chant/ folder above ' .. cwd .. ')', vim.log.levels.WARN)
    return nil
  end
  local config = vim.deepcopy(vim.lsp.config[NAME] or {})
  config.name = NAME
  config.root_dir = root
  config.filetypes = nil
  local id = vim.lsp.start(config, { attach = false })
  local client = id and vim.lsp.get_client_by_id(id)
  if not client then
    notify('could not start chant-lsp for ' .. root, vim.log.levels.ERROR)
    return nil
  end
  vim.wait(10000, function()
    return client.initialized
  end, 10)
  return client
end

--- The project root URI of `client`.
local function root_uri(client)
  return vim.uri_from_fname(client.root_dir)
end

--- `chant/specList` for the client's project; `on_list(projects)` gets the
--- `projects` array (nil after an error, which is reported).
--- @param client vim.lsp.Client
--- @param on_list fun(projects: table[]?)
function M.spec_list(client, on_list)
  client:request('chant/specList', { rootUri = root_uri(client) }, function(err, result)
    if err then
      notify('chant/specList failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      on_list(nil)
      return
    end
    on_list((result or {}).projects or {})
  end)
end

--- The order specs are grouped in (the picker and the docs).
M.READINESS_ORDER = { 'ready', 'refused', 'blocked', 'in_progress', 'needs_approval', 'failed', 'completed' }

local function readiness_rank(readiness)
  for i, r in ipairs(M.READINESS_ORDER) do
    if r == readiness then
      return i
    end
  end
  return #M.READINESS_ORDER + 1
end

--- The specs of `projects` for the picker: grouped by readiness (in
--- READINESS_ORDER, others after), then by ID.
--- @param projects table[]
--- @return table[] items { spec, project }
function M.picker_items(projects)
  local items = {}
  for _, project in ipairs(projects or {}) do
    for _, spec in ipairs(project.specs or {}) do
      items[#items + 1] = { spec = spec, project = project }
    end
  end
  table.sort(items, function(a, b)
    local ra, rb = readiness_rank(a.spec.readiness), readiness_rank(b.spec.readiness)
    if ra ~= rb then
      return ra < rb
    end
    if a.spec.readiness ~= b.spec.readiness then
      return tostring(a.spec.readiness) < tostring(b.spec.readiness)
    end
    return tostring(a.spec.id) < tostring(b.spec.id)
  end)
  return items
end

--- chant's signs for its lights, as `chant lint --verbose` prints them.
M.LIGHTS = { Ready = '🟢', Review = '🟡', Refine = '🔴' }

--- Where the work is done or going on, the light says nothing more (the
--- server's lens row leaves it out too).
local NO_LIGHT = { completed = true, cancelled = true, in_progress = true }

--- `🔴 Refine`: chant's light of a spec (`quality` of chant/specList) that
--- `chant work` could still run, or nil (chant cannot read the spec, an
--- older server, or the work is done or going on).
function M.light(spec)
  local q = spec.quality
  if type(q) ~= 'table' or type(q.light) ~= 'string' or spec.running or NO_LIGHT[spec.readiness] then
    return nil
  end
  return (M.LIGHTS[q.light] or '⚪') .. ' ' .. q.light
end

--- One picker line:
--- `ready          2026-11-20-001-abc  Cache parsed specs  (pending · 1/2 · 🟡 Review)`.
function M.format_spec(item)
  local s = item.spec
  local criteria = s.criteria or { checked = 0, total = 0 }
  local readiness = (s.running and 'running' or tostring(s.readiness)):gsub('_', ' ')
  local light = M.light(s)
  return ('%-14s %s  %s  (%s · %d/%d%s)'):format(
    readiness,
    s.id,
    s.title ~= vim.NIL and s.title or '(no title)',
    s.status,
    criteria.checked or 0,
    criteria.total or 0,
    light and (' · ' .. light) or ''
  )
end

--- :ChantSpecs: pick a spec of the project (chant/specList) and open it.
function M.pick_spec()
  local client = M.project_client()
  if not client then
    return
  end
  M.spec_list(client, function(projects)
    if not projects then
      return
    end
    local items = M.picker_items(projects)
    if #items == 0 then
      notify('this project has no specs')
      return
    end
    vim.ui.select(items, { prompt = 'chant specs', kind = 'chant_spec', format_item = M.format_spec }, function(item)
      if item then
        vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(item.spec.uri)))
      end
    end)
  end)
end

--- chant's spec types, in the order chant add's editors offer them.
M.SPEC_TYPES = { 'code', 'task', 'research', 'documentation', 'driver', 'group' }

--- The prompt names of a project (`.chant/prompts/*.md`).
local function prompt_names(root)
  local names = {}
  for name, kind in vim.fs.dir(vim.fs.joinpath(root, '.chant', 'prompts')) do
    if kind == 'file' and name:match('%.md$') then
      names[#names + 1] = name:gsub('%.md$', '')
    end
  end
  table.sort(names)
  return names
end

--- Runs `steps` (functions taking a `next` callback) one after the other.
local function chain(steps, done)
  local i = 0
  local function next_step()
    i = i + 1
    if i > #steps then
      return done()
    end
    steps[i](next_step)
  end
  next_step()
end

--- :ChantAdd [title]: asks for the title (unless given), type, prompt,
--- labels and whether it needs approval, then runs `chant.add`; the server
--- opens the new spec (window/showDocument).
function M.add(title)
  local client = M.project_client()
  if not client then
    return
  end
  local options = {}
  local cancelled = false
  local function stop(what)
    cancelled = true
    notify('no spec added: ' .. what)
  end
  chain({
    function(next_step)
      if title and vim.trim(title) ~= '' then
        options.title = vim.trim(title)
        return next_step()
      end
      vim.ui.input({ prompt = 'Title of the new spec: ' }, function(input)
        if input == nil or vim.trim(input) == '' then
          return stop('a title is required')
        end
        options.title = vim.trim(input)
        next_step()
      end)
    end,
    function(next_step)
      vim.ui.select(M.SPEC_TYPES, { prompt = 'Type of the spec', kind = 'chant_type' }, function(choice)
        if not choice then
          return stop('no type chosen')
        end
        options.type = choice
        next_step()
      end)
    end,
    function(next_step)
      local choices = { '(chant\'s default)' }
      vim.list_extend(choices, prompt_names(client.root_dir))
      vim.ui.select(choices, { prompt = 'Prompt', kind = 'chant_prompt' }, function(choice, idx)
        if not choice then
          return stop('no prompt chosen')
        end
        if idx ~= 1 then
          options.prompt = choice
        end
        next_step()
      end)
    end,
    function(next_step)
      vim.ui.input({ prompt = 'Labels (comma-separated, optional): ' }, function(input)
        if input == nil then
          return stop('cancelled')
        end
        local labels = {}
        for label in input:gmatch('[^,]+') do
          label = vim.trim(label)
          if label ~= '' then
            labels[#labels + 1] = label
          end
        end
        if #labels > 0 then
          options.labels = labels
        end
        next_step()
      end)
    end,
    function(next_step)
      vim.ui.select({ 'No', 'Yes' }, { prompt = 'Needs approval before work?', kind = 'chant_approval' }, function(choice)
        if not choice then
          return stop('cancelled')
        end
        if choice == 'Yes' then
          options.needsApproval = true
        end
        next_step()
      end)
    end,
  }, function()
    if not cancelled then
      M.execute(client, nil, 'chant.add', { root_uri(client), options })
    end
  end)
end

--- :ChantArchiveLabel [label]: archives the project's specs with a label
--- (asks for it, offering the labels the project's specs carry).
function M.archive_label(label)
  local client = M.project_client()
  if not client then
    return
  end
  local function run(l)
    M.execute(client, nil, 'chant.archiveByLabel', { root_uri(client), { label = l } })
  end
  if label and vim.trim(label) ~= '' then
    return run(vim.trim(label))
  end
  M.spec_list(client, function(projects)
    local seen, labels = {}, {}
    for _, project in ipairs(projects or {}) do
      for _, spec in ipairs(project.specs or {}) do
        for _, l in ipairs(spec.labels or {}) do
          if not seen[l] then
            seen[l] = true
            labels[#labels + 1] = l
          end
        end
      end
    end
    table.sort(labels)
    if #labels == 0 then
      notify('no spec of this project has a label', vim.log.levels.WARN)
      return
    end
    vim.ui.select(labels, { prompt = 'Archive the specs labelled', kind = 'chant_label' }, function(choice)
      if choice then
        run(choice)
      end
    end)
  end)
end

-- ---- spec commands ----------------------------------------------------------

local function buf_command(fn)
  return function(cmd)
    local bufnr = vim.api.nvim_get_current_buf()
    local client = M.client(bufnr)
    if client then
      fn(client, bufnr, vim.uri_from_bufnr(bufnr), cmd)
    end
  end
end

--- A user command that runs `command` on the current spec with the
--- options `opts(cmd)` returns (nil: none).
local function spec_command(command, opts)
  return buf_command(function(client, bufnr, uri, cmd)
    local args = { uri }
    local o = opts and opts(cmd)
    if o and next(o) ~= nil then
      args[2] = o
    end
    M.execute(client, bufnr, command, args)
  end)
end

--- Every user command: name, function, options (the table docs/editors.md shows).
M.USER_COMMANDS = {
  { 'ChantAdd', function(cmd)
    M.add(cmd.args)
  end, { nargs = '?', desc = 'chant: add a spec (asks for title, type, prompt, labels, approval)' } },
  { 'ChantWork', spec_command('chant.work', function(cmd)
    return cmd.args ~= '' and { prompt = cmd.args } or nil
  end), { nargs = '?', desc = 'chant: work this spec (optional prompt name)' } },
  { 'ChantWorkAnyway', spec_command('chant.work', function(cmd)
    return { skipQuality = true, prompt = cmd.args ~= '' and cmd.args or nil }
  end), { nargs = '?', desc = "chant: work this spec past chant's quality check" } },
  { 'ChantApprove', spec_command('chant.approve', function(cmd)
    return cmd.args ~= '' and { by = cmd.args } or nil
  end), { nargs = '?', desc = 'chant: approve this spec (optional approver name)' } },
  { 'ChantReject', buf_command(function(client, bufnr, uri, cmd)
    if cmd.args ~= '' then
      M.execute(client, bufnr, 'chant.reject', { uri, { reason = cmd.args } })
    else
      M.reject_with_prompt(client, bufnr, uri, {})
    end
  end), { nargs = '?', desc = 'chant: reject this spec (asks for the reason)' } },
  { 'ChantMerge', spec_command('chant.merge'), { nargs = 0, desc = "chant: merge this spec's branch" } },
  { 'ChantMergeAll', function()
    local client = M.project_client()
    if client then
      M.execute(client, nil, 'chant.mergeAll', { root_uri(client) })
    end
  end, { nargs = 0, desc = "chant: merge every completed spec's branch" } },
  { 'ChantArchive', spec_command('chant.archive'), { nargs = 0, desc = 'chant: archive this spec' } },
  { 'ChantArchiveLabel', function(cmd)
    M.archive_label(cmd.args)
  end, { nargs = '?', desc = 'chant: archive the specs with a label (asks for it)' } },
  { 'ChantReset', spec_command('chant.reset', function(cmd)
    return cmd.bang and { work = true } or nil
  end), { nargs = 0, bang = true, desc = 'chant: reset this spec to pending (! then works it)' } },
  { 'ChantCancel', spec_command('chant.cancel', function(cmd)
    return cmd.bang and { delete = true } or nil
  end), { nargs = 0, bang = true, desc = 'chant: cancel this spec (! deletes it, once you confirm)' } },
  { 'ChantVerify', spec_command('chant.verify'), { nargs = 0, desc = 'chant: verify this spec' } },
  { 'ChantSplit', spec_command('chant.split'), { nargs = 0, desc = 'chant: split this spec into members' } },
  { 'ChantLog', buf_command(function(client, bufnr, uri)
    M.execute(client, bufnr, 'chant.showLog', { uri }, function(err, result)
      if not err then
        M.follow_log(client, uri, result)
      end
    end)
  end), { nargs = 0, desc = "chant: open this spec's agent log (followed while chant runs)" } },
  { 'ChantReview', buf_command(function(client, bufnr, _, cmd)
    M.review(client, bufnr, cmd.bang, cmd.args)
  end), { nargs = '?', bang = true, complete = 'file',
    desc = "chant: review the agent's changes (! [path]: one file side by side)" } },
  { 'ChantApplyChanges', spec_command('chant.applyAgentChanges'),
    { nargs = 0, desc = "chant: apply the agent's changes of this spec" } },
  { 'ChantSpecs', function()
    M.pick_spec()
  end, { nargs = 0, desc = "chant: pick one of the project's specs and open it" } },
}

local function create_user_commands()
  for _, c in ipairs(M.USER_COMMANDS) do
    vim.api.nvim_create_user_command(c[1], c[2], c[3])
  end
end

local progress_group = vim.api.nvim_create_augroup('chant.progress', { clear = true })

local function enable_progress_echo()
  vim.api.nvim_create_autocmd('LspProgress', {
    group = progress_group,
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      if not client or client.name ~= NAME then
        return
      end
      local value = ev.data.params.value or {}
      local parts = { 'chant:', value.title, value.message }
      if value.kind == 'end' then
        parts[#parts + 1] = '(done)'
      end
      local text = table.concat(vim.tbl_filter(function(p)
        return p ~= nil and p ~= ''
      end, parts), ' ')
      vim.api.nvim_echo({ { text } }, false, {})
    end,
  })
end

--- Registers and enables the `chant` LSP config, and the user commands.
--- @param opts table?
function M.setup(opts)
  if vim.fn.has('nvim-0.11') == 0 then
    notify('chant.nvim needs Neovim 0.11 or newer', vim.log.levels.ERROR)
    return
  end
  opts = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  M.options = opts
  local settings = settings_of(opts)
  local config = {
    cmd = opts.cmd,
    filetypes = { 'markdown' },
    root_dir = M.root_dir,
    settings = settings,
    -- Also as initializationOptions, for the first diagnostics before the
    -- server asks for workspace/configuration.
    init_options = settings,
    commands = client_commands(),
    handlers = { ['workspace/applyEdit'] = apply_edit_handler, ['window/showDocument'] = show_document_handler },
    on_attach = opts.on_attach,
    -- Neovim's apply_workspace_edit() handles documentChanges (versioned
    -- edits, create/rename/delete files) but 0.11 does not advertise it; the
    -- server needs it to bring files the agent created into the editor.
    capabilities = vim.tbl_deep_extend('force', {
      workspace = { workspaceEdit = { documentChanges = true } },
    }, opts.capabilities or {}),
  }
  vim.lsp.config(NAME, config)
  vim.lsp.enable(NAME)
  create_user_commands()
  vim.api.nvim_clear_autocmds({ group = progress_group })
  if opts.progress then
    enable_progress_echo()
  end
  vim.api.nvim_create_autocmd('BufReadPost', {
    group = vim.api.nvim_create_augroup('chant.review', { clear = true }),
    pattern = '*/chant-lsp/review/*.diff',
    callback = function(ev)
      M.review_buffer(ev.buf)
    end,
  })
end

return M
