-- "Review changes" and the live log in Neovim, on the REAL chant with the
-- scripted agent: while chant runs, :ChantLog opens the agent's log
-- read-only and follows it as it grows (autoread and checktime, the window
-- at its end) until the run is over; the run's end offers "Review changes",
-- which the server shows (window/showDocument) as a read-only diff buffer
-- holding the agent's hunks, and :ChantReview again; :ChantReview!
-- README.md compares one file side by side (the merge base's version
-- against the branch's, in diff mode).
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

local ID = '2026-11-20-001-abc'

H.project()
H.setup({ commands = { enabled = true, timeoutSeconds = 120 } })
-- The agent changes README.md and adds hello.txt, a line a second.
H.write(H.agent_dir .. '/write-' .. ID .. '/hello.txt', 'hello\n')
local readme = H.read(H.root .. '/README.md')
H.write(H.agent_dir .. '/write-' .. ID .. '/README.md', readme .. '\nReviewed by chant.\n')
H.write(H.agent_dir .. '/delay', '1')

local chant = require('chant')
local client, spec_buf, log_buf

local function lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

H.run({
  { ':ChantLog while chant runs follows the log as it grows, read-only, at its end', function()
    spec_buf = H.open('.chant/specs/' .. ID .. '.md')
    client = H.ready(spec_buf)
    H.require_command(client, 'chant.review')
    -- The run's end offers the review: take it.
    H.answer_select('Review changes')
    vim.cmd('ChantWork')
    local log = H.root .. '/.chant/logs/' .. ID .. '.log'
    H.wait('the agent log', function()
      return (H.read(log) or ''):find('# Prompt:', 1, true) ~= nil
    end, 30000)
    vim.cmd('ChantLog')
    H.wait('the log shown and followed', function()
      log_buf = vim.fn.bufnr(log)
      return log_buf ~= -1 and chant.following[log_buf] ~= nil
    end)
    H.eq(log_buf, vim.api.nvim_get_current_buf(), 'the log is the current buffer')
    H.eq({ true, false, true }, { vim.bo[log_buf].readonly, vim.bo[log_buf].modifiable, vim.bo[log_buf].autoread },
      'readonly, not modifiable, autoread')
    H.wait('the agent\'s last line in the buffer, read as the log grew', function()
      return vim.tbl_contains(lines(log_buf), 'agent: done with ' .. ID)
    end, 30000)
    H.ok(vim.tbl_contains(lines(log_buf), 'agent: working on ' .. ID), 'the first line too')
    H.eq(vim.api.nvim_buf_line_count(log_buf), vim.api.nvim_win_get_cursor(0)[1], 'the cursor on the last line')
    H.runs_finished(client)
    H.wait('the log no longer followed once the run is over', function()
      return chant.following[log_buf] == nil
    end)
  end },

  { 'the run\'s "Review changes" shows the review: a read-only diff holding the hunks', function()
    H.wait('the review shown', function()
      return #H.shown > 0 and H.shown[#H.shown].uri:match('/chant%-lsp/review/') ~= nil
    end, 30000)
    local path = vim.uri_to_fname(H.shown[#H.shown].uri)
    H.ok(vim.startswith(path, H.scratch .. '/home/.cache/chant-lsp/review/'), 'under the cache: ' .. path)
    local b
    H.wait('the review buffer', function()
      b = vim.fn.bufnr(path)
      return b ~= -1 and vim.api.nvim_buf_is_loaded(b)
    end)
    H.eq({ 'diff', true, false }, { vim.bo[b].filetype, vim.bo[b].readonly, vim.bo[b].modifiable },
      'filetype diff, readonly, not modifiable')
    local text = lines(b)
    H.eq('# Review of spec ' .. ID .. ': Cache parsed specs', text[1], 'the header')
    local function after(line)
      for i, l in ipairs(text) do
        if l == line then
          return vim.list_slice(text, i + 1, i + 6)
        end
      end
      H.fail(('no line %q in the review:\n%s'):format(line, table.concat(text, '\n')))
    end
    H.eq({ 'new file mode 100644', '--- /dev/null', '+++ b/hello.txt', '@@ -0,0 +1 @@', '+hello',
      "# ---- chant's bookkeeping: spec files ----" }, after('diff --git a/hello.txt b/hello.txt'), 'hello.txt')
    H.eq({ '--- a/README.md', '+++ b/README.md' }, vim.list_slice(after('diff --git a/README.md b/README.md'), 1, 2),
      'README.md')
    H.ok(vim.tbl_contains(text, '+Reviewed by chant.'), 'the README hunk:\n' .. table.concat(text, '\n'))
    -- The message that came with it offers the next steps.
    local offer = H.message_requests[#H.message_requests]
    H.ok(offer.message:match('^Review of spec ' .. vim.pesc(ID)), 'the message: ' .. offer.message)
    H.eq({ 'Approve spec', 'Apply agent changes (chant/' .. ID .. ')', 'Merge branch chant/' .. ID },
      vim.tbl_map(function(a)
        return a.title
      end, offer.actions), 'the next steps offered')
  end },

  { ':ChantReview shows it again, read again from the file the server rewrote', function()
    vim.api.nvim_set_current_buf(spec_buf)
    local shown = #H.shown
    vim.cmd('ChantReview')
    H.wait('the review shown again', function()
      return #H.shown > shown
    end)
    local path = vim.uri_to_fname(H.shown[#H.shown].uri)
    H.wait('the review buffer current', function()
      return vim.api.nvim_buf_get_name(0) == path
    end)
    H.eq({ 'diff', false }, { vim.bo.filetype, vim.bo.modifiable }, 'still a read-only diff')
    H.ok(vim.tbl_contains(lines(0), '+hello'), 'the hunks')
  end },

  { ':ChantReview! README.md shows the file side by side, in diff mode', function()
    vim.api.nvim_set_current_buf(spec_buf)
    local tabs = #vim.api.nvim_list_tabpages()
    vim.cmd('ChantReview! README.md')
    H.wait('a new tab with both sides', function()
      return #vim.api.nvim_list_tabpages() > tabs and #vim.api.nvim_tabpage_list_wins(0) == 2
    end)
    local wins = vim.api.nvim_tabpage_list_wins(0)
    local left, right = vim.api.nvim_win_get_buf(wins[1]), vim.api.nvim_win_get_buf(wins[2])
    local original = vim.split(readme, '\n', { plain = true })
    table.remove(original)
    H.eq(original, lines(left), 'the merge base\'s README.md')
    local changed = vim.deepcopy(original)
    vim.list_extend(changed, { '', 'Reviewed by chant.' })
    H.eq(changed, lines(right), 'the branch\'s README.md')
    for _, w in ipairs(wins) do
      H.ok(vim.wo[w].diff, 'diff mode in window ' .. w)
      local b = vim.api.nvim_win_get_buf(w)
      H.eq({ true, false, 'markdown' }, { vim.bo[b].readonly, vim.bo[b].modifiable, vim.bo[b].filetype }, 'a read-only side')
    end
    H.ok(vim.api.nvim_buf_get_name(right):match('chant%-review://chant/' .. vim.pesc(ID) .. '/README%.md$'),
      'named for the branch: ' .. vim.api.nvim_buf_get_name(right))
  end },
})
