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
  if #clients == 0 then
    if not quiet then
      notify('no chant-lsp client for this buffer (open a spec under .chant/specs/)', vim.log.levels.WARN)
    end
    return nil
  end
  return clients[1]
end

--- Sends `workspace/executeCommand` for `command` with `args`, after saving
--- the buffer (chant works on the file on disk). Errors are reported with
--- vim.notify; the result arrives as `workspace/applyEdit` and
--- `window/showMessage` from the server.
--- @param client vim.lsp.Client
--- @param bufnr integer
--- @param command string
--- @param args any[]
--- @param on_done fun(err: table?, result: any)?
function M.execute(client, bufnr, command, args, on_done)
  if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].modified then
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd('silent update')
    end)
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

-- Client-side handler for `chant.reject` (also used by the server's
-- "Reject spec..." code action): the server refuses a rejection without a
-- reason, so ask for it first.
local function reject_command(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local args = command.arguments or {}
  local uri = args[1] or vim.uri_from_bufnr(ctx.bufnr)
  local extra = type(args[2]) == 'table' and args[2] or {}
  if type(extra.reason) == 'string' and vim.trim(extra.reason) ~= '' then
    M.execute(client, ctx.bufnr, 'chant.reject', { uri, extra })
  else
    M.reject_with_prompt(client, ctx.bufnr, uri, extra)
  end
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
local function apply_edit_handler(err, params, ctx)
  local result = vim.lsp.handlers['workspace/applyEdit'](err, params, ctx)
  local uris = {}
  local edit = params and params.edit or {}
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

local function buf_command(fn)
  return function(cmd)
    local bufnr = vim.api.nvim_get_current_buf()
    local client = M.client(bufnr)
    if client then
      fn(client, bufnr, vim.uri_from_bufnr(bufnr), cmd)
    end
  end
end

local function create_user_commands()
  local create = vim.api.nvim_create_user_command
  create('ChantWork', buf_command(function(client, bufnr, uri, cmd)
    local args = { uri }
    if cmd.args ~= '' then
      args[2] = { prompt = cmd.args }
    end
    M.execute(client, bufnr, 'chant.work', args)
  end), { nargs = '?', desc = 'chant: work this spec (optional prompt name)' })
  create('ChantApprove', buf_command(function(client, bufnr, uri, cmd)
    local args = { uri }
    if cmd.args ~= '' then
      args[2] = { by = cmd.args }
    end
    M.execute(client, bufnr, 'chant.approve', args)
  end), { nargs = '?', desc = 'chant: approve this spec (optional approver name)' })
  create('ChantReject', buf_command(function(client, bufnr, uri, cmd)
    if cmd.args ~= '' then
      M.execute(client, bufnr, 'chant.reject', { uri, { reason = cmd.args } })
    else
      M.reject_with_prompt(client, bufnr, uri, {})
    end
  end), { nargs = '?', desc = 'chant: reject this spec (asks for the reason)' })
  create('ChantApplyChanges', buf_command(function(client, bufnr, uri)
    M.execute(client, bufnr, 'chant.applyAgentChanges', { uri })
  end), { nargs = 0, desc = "chant: apply the agent's changes of this spec" })
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
    commands = { ['chant.reject'] = reject_command },
    handlers = { ['workspace/applyEdit'] = apply_edit_handler },
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
end

return M
