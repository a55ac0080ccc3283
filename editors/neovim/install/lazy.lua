-- lazy.nvim: save as ~/.config/nvim/lua/plugins/chant.lua (or add the table
-- to your spec list). The plugin lives in editors/neovim of the repository.
return {
  'chant-lsp/chant-lsp',
  config = function(plugin)
    vim.opt.rtp:append(plugin.dir .. '/editors/neovim')
    require('chant').setup({})
  end,
}
