-- With the plugin's defaults (commands.enabled = false) the server never
-- runs chant: :ChantWork changes nothing, on disk or in the buffer.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project()
H.setup() -- no `commands = { enabled = true }`

local ID = '2026-11-20-001-abc'

H.run({
  { 'chant.work with commands disabled runs nothing', function()
    local buf = H.open('.chant/specs/' .. ID .. '.md')
    local client = H.ready(buf)
    H.eq(false, client.config.settings.chant.commands.enabled, 'settings sent')
    local before_disk = H.read(H.root .. '/.chant/specs/' .. ID .. '.md')
    local before_buf = H.text(buf)
    local answered = false
    require('chant').execute(client, buf, 'chant.work', { vim.uri_from_bufnr(buf) }, function()
      answered = true
    end)
    H.wait('the answer to chant.work', function()
      return answered
    end)
    -- A run would start at once; give it time to show.
    vim.wait(1500, function() return false end)
    H.eq(nil, H.read(H.standin_log), 'stand-in chant log (chant must not run)')
    H.eq(before_disk, H.read(H.root .. '/.chant/specs/' .. ID .. '.md'), 'spec on disk')
    H.eq(before_buf, H.text(buf), 'spec buffer')
  end },
})
