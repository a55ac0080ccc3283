-- Installing the plugin from the repository with a plugin manager: the exact
-- specs in editors/neovim/install/ (which README.md shows verbatim) run as
-- lazy.nvim and Neovim 0.12's vim.pack run them, on a checkout of the
-- repository, and the plugin then works with its defaults (`chant-lsp` and
-- `chant` from PATH).
--
-- Neither manager can fetch from GitHub here, so this does what they do once
-- the repository is cloned: lazy.nvim puts the clone on 'runtimepath' and
-- calls the spec's `config(plugin)` with `plugin.dir`; vim.pack calls the
-- `load` hook with `{ spec = ..., path = ... }` (it lives in
-- stdpath('data')/site/pack/core/opt/<name>).
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

-- helpers.lua puts editors/neovim on 'runtimepath'; a fresh install has not.
vim.opt.runtimepath:remove(H.repo .. '/editors/neovim')
package.loaded['chant'] = nil
package.loaded['chant.health'] = nil

-- The server and chant on PATH, as after installing them.
local bin = vim.fn.tempname() .. '-bin'
vim.fn.mkdir(bin, 'p')
assert(vim.uv.fs_symlink(H.server, bin .. '/chant-lsp'))
assert(vim.uv.fs_symlink(H.standin, bin .. '/chant'))
vim.env.PATH = bin .. ':' .. vim.env.PATH

local function snippet(name)
  return H.repo .. '/editors/neovim/install/' .. name
end

local function chant_on_rtp()
  return vim.api.nvim_get_runtime_file('lua/chant/init.lua', false)[1]
end

local function readme_shows(path)
  local readme = H.read(H.repo .. '/editors/neovim/README.md')
  local text = H.read(path)
  -- The README shows the file without its leading comment lines.
  local body = text:gsub('^%-%-[^\n]*\n', ''):gsub('^%-%-[^\n]*\n', '')
  H.ok(readme:find(body, 1, true), ('editors/neovim/README.md shows %s verbatim:\n%s'):format(path, body))
  local top = H.read(H.repo .. '/README.md')
  H.ok(top:find(body, 1, true), ('README.md shows %s verbatim:\n%s'):format(path, body))
end

H.run({
  { 'before installing, the plugin is not there', function()
    H.eq(nil, chant_on_rtp(), 'lua/chant on the runtimepath')
    H.eq(false, (pcall(require, 'chant')), "require('chant')")
  end },

  { 'the lazy.nvim spec: the clone on the runtimepath, then config(plugin)', function()
    readme_shows(snippet('lazy.lua'))
    local spec = dofile(snippet('lazy.lua'))
    H.eq('chant-lsp/chant-lsp', spec[1], 'the GitHub short name')
    -- What lazy.nvim does with a cloned plugin (lazy.core.loader): add its
    -- folder to the runtimepath, then run config with the plugin.
    local plugin = vim.tbl_extend('force', spec, { name = 'chant-lsp', dir = H.repo })
    vim.opt.runtimepath:append(plugin.dir)
    spec.config(plugin, {})
    H.eq(H.repo .. '/editors/neovim/lua/chant/init.lua', chant_on_rtp(), 'lua/chant on the runtimepath')
    H.ok(require('chant').options, 'setup() ran')
    H.eq({ 'chant-lsp' }, require('chant').options.cmd, 'the default cmd')
  end },

  { 'with the defaults, chant-lsp from PATH attaches to a spec and reports', function()
    H.project({ server_only = true })
    local buf = H.open('.chant/specs/2026-11-20-002-def.md')
    local client = H.client(buf)
    H.eq({ 'chant-lsp' }, client.config.cmd, 'cmd')
    H.wait('diagnostics on the spec', function()
      return #H.diagnostics(buf) > 0
    end)
    H.eq('chant/unknown-status', H.diagnostics(buf)[1][1], 'the first diagnostic')
    H.eq(2, vim.fn.exists(':ChantWork'), ':ChantWork')
  end },

  { 'the vim.pack snippet: the load hook puts editors/neovim on the runtimepath', function()
    readme_shows(snippet('vim-pack.lua'))
    for _, c in ipairs(vim.lsp.get_clients()) do
      c:stop(true)
    end
    vim.opt.runtimepath:remove(H.repo .. '/editors/neovim')
    vim.opt.runtimepath:remove(H.repo)
    package.loaded['chant'] = nil
    H.eq(nil, chant_on_rtp(), 'lua/chant on the runtimepath after removing it')
    -- Where vim.pack keeps the clone: a link to this checkout.
    local opt = vim.fs.joinpath(vim.fn.stdpath('data'), 'site', 'pack', 'core', 'opt')
    vim.fn.mkdir(opt, 'p')
    local dir = vim.fs.joinpath(opt, 'chant-lsp')
    assert(vim.uv.fs_symlink(H.repo, dir))
    local real = vim.pack
    local added = {}
    -- Neovim 0.11 has no vim.pack; 0.12's would try to clone from GitHub.
    -- Stand in for it with what vim.pack.add does for an installed plugin.
    vim.pack = {
      add = function(specs, opts)
        for _, src in ipairs(specs) do
          local name = src:gsub('%.git$', ''):match('[^/]+$')
          local path = vim.fs.joinpath(opt, name)
          H.ok(vim.uv.fs_stat(path), 'vim.pack would have cloned ' .. src .. ' to ' .. path)
          added[#added + 1] = { src = src, name = name }
          opts.load({ spec = { src = src, name = name }, path = path })
        end
      end,
    }
    local ok, err = pcall(dofile, snippet('vim-pack.lua'))
    vim.pack = real
    H.ok(ok, tostring(err))
    H.eq({ { src = 'https://github.com/chant-lsp/chant-lsp', name = 'chant-lsp' } }, added, 'vim.pack.add specs')
    H.eq(dir .. '/editors/neovim/lua/chant/init.lua', chant_on_rtp(), 'lua/chant on the runtimepath')
    H.ok(require('chant').options, 'setup() ran')
    local buf = H.open('.chant/specs/2026-11-20-001-abc.md')
    H.client(buf)
    H.wait('diagnostics on the spec', function()
      return #H.diagnostics(buf) > 0
    end)
  end },
})
