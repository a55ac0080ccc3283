-- Diagnostics attach to spec files (and follow edits), never to a README
-- or a prompt; the plugin's defaults reach the server.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

H.project({ server_only = true })
H.setup()

local E, W, I = vim.diagnostic.severity.ERROR, vim.diagnostic.severity.WARN, vim.diagnostic.severity.INFO
local H_ = vim.diagnostic.severity.HINT

H.run({
  { 'a spec with an unknown status gets exactly one error, with the exact range and message', function()
    local buf = H.open('.chant/specs/2026-11-20-002-def.md')
    H.eq('markdown', vim.bo[buf].filetype, 'filetype')
    local client = H.client(buf)
    H.eq(H.root, client.config.root_dir, 'root_dir is the folder holding .chant/')
    H.wait('diagnostics on the spec', function()
      return #H.diagnostics(buf) > 0
    end)
    H.eq({ { 'chant/unknown-status', { 2, 8, 2, 12 }, E } }, H.diagnostics(buf), 'diagnostics of 002')
    local d = vim.diagnostic.get(buf)[1]
    H.eq('chant', d.source, 'source')
    H.ok(vim.startswith(d.message, 'Unknown status `open`'), 'message starts with "Unknown status `open`": ' .. d.message)
  end },

  { 'fixing the status in the buffer clears the error (didChange, versioned publish)', function()
    local buf = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_text(buf, 2, 8, 2, 12, { 'pending' })
    H.wait('the error to go away', function()
      return #vim.diagnostic.get(buf, { severity = E }) == 0 and #H.diagnostics(buf) > 0
    end)
    -- What is left: chant's quality hints (the spec is graded Review).
    H.eq({
      { 'chant/quality-confidence', { 4, 0, 4, 29 }, H_ },
      { 'chant/quality-criteria', { 8, 0, 8, 22 }, H_ },
    }, H.diagnostics(buf), 'diagnostics after the fix')
  end },

  { 'a second spec shares the client and reports its unchecked criterion', function()
    local first = vim.lsp.get_clients({ name = 'chant' })
    H.eq(1, #first, 'one chant client so far')
    local buf = H.open('.chant/specs/2026-11-20-001-abc.md')
    local client = H.client(buf)
    H.eq(first[1].id, client.id, 'same client for the same project')
    H.wait('diagnostics on 001', function()
      return #H.diagnostics(buf) > 0
    end)
    H.eq({
      { 'chant/quality-splittability', { 0, 0, 0, 3 }, H_ },
      { 'chant/quality-confidence', { 7, 0, 7, 20 }, H_ },
      { 'chant/quality-criteria', { 11, 0, 11, 22 }, H_ },
      { 'chant/unchecked-criterion', { 13, 0, 13, 35 }, I },
    }, H.diagnostics(buf), 'diagnostics of 001')
  end },

  { 'README.md and a prompt get no client and no diagnostics', function()
    local spec_client = vim.lsp.get_clients({ name = 'chant' })[1]
    local readme = H.open('README.md')
    H.eq('markdown', vim.bo[readme].filetype, 'README filetype')
    local prompt = H.open('.chant/prompts/standard.md')
    -- Attaching is decided when the buffer gets its filetype (root_dir runs
    -- then); wait until the server has handled everything sent so far.
    H.idle(spec_client)
    H.eq({}, vim.lsp.get_clients({ bufnr = readme }), 'clients on README.md')
    H.eq(nil, H.published[vim.uri_from_bufnr(readme)], 'diagnostics received for README.md')
    H.eq(nil, H.published[vim.uri_from_bufnr(prompt)], 'diagnostics received for the prompt')
    H.eq({}, vim.lsp.get_clients({ bufnr = prompt }), 'clients on the prompt')
    H.eq({}, vim.diagnostic.get(readme), 'diagnostics on README.md')
    H.eq(false, vim.lsp.buf_is_attached(readme, spec_client.id), 'README not attached')
  end },

  { 'settings: commands are disabled unless the user enables them', function()
    local client = vim.lsp.get_clients({ name = 'chant' })[1]
    H.eq(false, client.config.settings.chant.commands.enabled, 'settings.chant.commands.enabled')
    H.eq(H.chant, client.config.settings.chant.path, 'settings.chant.path')
    H.eq(false, client.config.init_options.chant.commands.enabled, 'init_options.chant.commands.enabled')
  end },

  { 'the user commands exist', function()
    for _, name in ipairs({
      'ChantAdd', 'ChantWork', 'ChantWorkAnyway', 'ChantApprove', 'ChantReject', 'ChantMerge', 'ChantMergeAll',
      'ChantArchive', 'ChantArchiveLabel', 'ChantReset', 'ChantCancel', 'ChantVerify', 'ChantSplit', 'ChantLog',
      'ChantApplyChanges', 'ChantSpecs',
    }) do
      H.eq(2, vim.fn.exists(':' .. name), ':' .. name)
    end
    H.eq(true, vim.api.nvim_get_commands({}).ChantReset.bang, ':ChantReset! (and work)')
    H.eq(true, vim.api.nvim_get_commands({}).ChantCancel.bang, ':ChantCancel! (delete)')
  end },
})
