-- :checkhealth chant: the Neovim version, whether setup() ran, the server
-- binary and its version, chant's binary and its version, whether the server
-- may run chant (commands.enabled), and the running clients.

local M = {}

local health = vim.health

--- `exe --version`, first line, or nil and the reason.
--- @param exe string
--- @return string? version, string? err
local function version_of(exe)
  local ok, obj = pcall(vim.system, { exe, '--version' }, { text = true })
  if not ok then
    return nil, tostring(obj)
  end
  local r = obj:wait(5000)
  if r.code ~= 0 then
    return nil, ('exit code %s: %s'):format(r.code, vim.trim(r.stderr or ''))
  end
  local line = vim.split(vim.trim(r.stdout or ''), '\n')[1]
  if line == nil or line == '' then
    return nil, 'printed no version'
  end
  return line
end

--- The resolved `chant` LSP config (what setup() registered, with anything
--- the user changed through vim.lsp.config since), or nil.
local function lsp_config()
  local ok, config = pcall(function()
    return vim.lsp.config.chant
  end)
  return ok and config or nil
end

--- Reports one executable: found or not, and its version.
--- @param what string
--- @param exe string
--- @param missing fun(msg: string, advice: string[])
--- @param advice string[]
local function report_binary(what, exe, missing, advice)
  local path = vim.fn.exepath(exe)
  if path == '' then
    missing(('%s: `%s` not found (not an executable path, nor on PATH)'):format(what, exe), advice)
    return
  end
  local version, err = version_of(path)
  if version then
    health.ok(('%s: %s (%s)'):format(what, path, version))
  else
    health.warn(('%s: %s does not answer `--version`: %s'):format(what, path, err), advice)
  end
end

function M.check()
  health.start('chant.nvim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim ' .. tostring(vim.version()) .. ': chant.nvim needs 0.11 or newer')
    return
  end
  local chant = require('chant')
  if chant.options == nil then
    health.warn("setup() was not called: nothing starts chant-lsp", { "Call require('chant').setup({}) in your config" })
  else
    health.ok('setup() was called')
  end
  local config = lsp_config() or {}
  local options = chant.options or {}
  local settings = ((config.settings or {}).chant) or {}

  health.start('chant-lsp (the language server)')
  local cmd = config.cmd or options.cmd or { 'chant-lsp' }
  if type(cmd) == 'table' and type(cmd[1]) == 'string' then
    report_binary('server', cmd[1], health.error, {
      'Install it: `cargo install --path .` in a chant-lsp checkout (puts chant-lsp in ~/.cargo/bin)',
      "Or point the plugin at it: require('chant').setup({ cmd = { '/path/to/chant-lsp' } })",
    })
  else
    health.info('server: a custom `cmd` (' .. type(cmd) .. '), not checked')
  end
  local clients = vim.lsp.get_clients({ name = 'chant' })
  if #clients == 0 then
    health.info('no chant-lsp client running (open a spec under .chant/specs/ to start one)')
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    health.ok(('client %d running for %s (%s %s)'):format(
      client.id,
      client.root_dir or '?',
      info.name or 'chant-lsp',
      info.version or '?'
    ))
  end

  health.start('chant (the CLI the server runs)')
  report_binary('chant', settings.path or options.path or 'chant', health.warn, {
    'Install chant, or set its path: setup({ path = "/path/to/chant" })',
    'Only the chant commands (:ChantWork, :ChantMerge, ... and their code actions) need it; diagnostics do not',
  })
  local enabled = settings.commands and settings.commands.enabled
  if enabled == nil then
    enabled = options.commands and options.commands.enabled
  end
  if enabled then
    health.ok('commands.enabled = true: the server runs chant (which runs an agent) from :ChantWork and code actions')
  else
    health.info(
      'commands.enabled = false (the default): the server never runs chant. '
        .. 'Enable it for projects you trust: setup({ commands = { enabled = true } })'
    )
  end
end

return M
