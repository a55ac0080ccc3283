-- :checkhealth chant reports the server binary and its version, chant's
-- binary and its version, and whether the server may run chant.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

--- Runs :checkhealth chant and returns the report's lines.
local function checkhealth()
  vim.cmd('checkhealth chant')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('bwipeout!')
  return lines
end

--- The one report item (`- ...` line) that contains `needle`; fails when
--- there is none or several.
local function line_with(lines, needle)
  local found = vim.tbl_filter(function(l)
    return vim.startswith(l, '- ') and l:find(needle, 1, true) ~= nil
  end, lines)
  H.eq(1, #found, ('lines with %q in:\n%s\n'):format(needle, table.concat(lines, '\n')))
  return found[1]
end

local function has(line, ...)
  for _, part in ipairs({ ... }) do
    H.ok(line:find(part, 1, true), ('%q in %q'):format(part, line))
  end
end

H.run({
  { 'before setup(): a warning', function()
    local lines = checkhealth()
    has(line_with(lines, 'setup() was not called'), 'WARNING')
    has(line_with(lines, 'Neovim 0.'), 'OK')
  end },

  { 'the server and chant, with their versions; commands off', function()
    H.project({ server_only = true })
    H.setup()
    local buf = H.open('.chant/specs/2026-11-20-001-abc.md')
    H.ready(buf)
    local lines = checkhealth()
    has(line_with(lines, 'setup() was called'), 'OK')
    has(line_with(lines, 'server: '), 'OK', H.server, '(chant-lsp 0.')
    has(line_with(lines, 'chant: '), 'OK', H.chant, '(chant 0.23.2)')
    has(line_with(lines, 'commands.enabled = false'), 'the server never runs chant')
    has(line_with(lines, 'running for ' .. H.root), 'OK', '(chant-lsp 0.')
  end },

  { 'commands enabled', function()
    H.setup({ commands = { enabled = true } })
    has(line_with(checkhealth(), 'commands.enabled = true'), 'OK', 'the server runs chant')
  end },

  { 'a server that is not there is an error; chant missing is a warning', function()
    H.setup({ cmd = { '/nonexistent/chant-lsp' }, path = 'no-such-chant' })
    local lines = checkhealth()
    has(line_with(lines, 'server: '), 'ERROR', '`/nonexistent/chant-lsp` not found')
    has(line_with(lines, 'chant: '), 'WARNING', '`no-such-chant` not found')
    has(table.concat(lines, '\n'), 'cargo install --path .')
  end },
})
