-- Neovim 0.12+ vim.pack: add to init.lua. The plugin lives in editors/neovim
-- of the repository.
vim.pack.add({ 'https://github.com/chant-lsp/chant-lsp' }, {
  load = function(plugin)
    vim.opt.rtp:append(plugin.path .. '/editors/neovim')
  end,
})
require('chant').setup({})
