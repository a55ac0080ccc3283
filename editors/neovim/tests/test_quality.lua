-- chant's quality grades in Neovim, against the real server and the REAL
-- chant: :ChantSpecs shows each spec's light as `chant lint --verbose`
-- grades it; the status lens and the inlay hint of a spec chant grades
-- Refine say why `chant work` refuses it, never "ready"; the "▶ Work with…"
-- lens, run as a user runs a lens (vim.lsp.codelens.run), asks for the
-- prompt (the server's window/showMessageRequest, which Neovim asks with
-- vim.ui.select): dismissed, nothing runs; a prompt picked, chant works the
-- spec with it.
local H = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/helpers.lua')

local REFINE_ID = '2026-11-21-013-ref'
local REFINE_TITLE = 'Twelve criteria at once'
local WORK_ID = '2026-11-20-001-abc' -- the demo's "Cache parsed specs", graded Review
local WORK_TITLE = 'Cache parsed specs'

local function refine_spec()
  local criteria = {}
  for i = 1, 12 do
    criteria[#criteria + 1] = ('- [ ] Add part %d'):format(i)
  end
  return '---\ntype: code\nstatus: pending\n---\n# ' .. REFINE_TITLE .. '\n\n## Acceptance Criteria\n\n'
    .. table.concat(criteria, '\n') .. '\n'
end

H.project({ specs = { [REFINE_ID] = refine_spec() } })
H.setup({ commands = { enabled = true, timeoutSeconds = 120 } })

--- `chant lint --verbose`'s light for each spec it grades, by ID (`🔴 Refine`).
local function chant_lights()
  local r = vim.system({ H.real, 'lint', '--verbose' }, { cwd = H.root, text = true }):wait()
  local lights = {}
  for line in (r.stdout or ''):gmatch('[^\n]+') do
    local id, light = line:match('^%S+ (%d%d%d%d%-%d%d%-%d%d%-%d%d%d%-%w+): (%S+ %a+) |')
    if id then
      lights[id] = light
    end
  end
  return lights, r.stdout .. r.stderr
end

--- How many workspace/executeCommand requests the server has answered
--- (Neovim's LspRequest autocommand; it names the method, not the command:
--- the test sends one command at a time).
local answered = 0
vim.api.nvim_create_autocmd('LspRequest', {
  callback = function(ev)
    local request = ev.data.request
    if request.type == 'complete' and request.method == 'workspace/executeCommand' then
      answered = answered + 1
    end
  end,
})

--- The lens titles of `buf` (asked again until `pred(titles)` holds).
local function lens_titles(buf, pred)
  local titles
  H.wait('the code lenses of ' .. vim.api.nvim_buf_get_name(buf), function()
    vim.lsp.codelens.refresh({ bufnr = buf })
    titles = vim.tbl_map(function(l)
      return l.command and l.command.title
    end, vim.lsp.codelens.get(buf))
    return #titles > 0 and (not pred or pred(titles))
  end)
  return titles
end

local client, refine_buf, work_buf

H.run({
  { ":ChantSpecs shows each spec's light, as chant lint --verbose grades it", function()
    refine_buf = H.open('.chant/specs/' .. REFINE_ID .. '.md')
    client = H.ready(refine_buf)
    H.require_request(client, 'chant/specList', {})
    local prompts = #H.prompts
    H.answer_select(false) -- looked at, then dismissed
    vim.cmd('ChantSpecs')
    H.wait('the spec picker', function()
      return #H.prompts > prompts
    end)
    local lines = H.prompts[#H.prompts].items
    H.eq({
      'ready          ' .. WORK_ID .. '  ' .. WORK_TITLE .. '  (pending · 1/2 · 🟡 Review)',
      'ready          2026-11-20-004-jkl  Compare queue designs  (pending · 0/1 · 🟡 Review)',
      'refused        ' .. REFINE_ID .. '  ' .. REFINE_TITLE .. '  (pending · 0/12 · 🔴 Refine)',
      'needs approval 2026-11-20-003-ghi  Rewrite the queue  (pending · 0/1 · 🟡 Review)',
      'unreadable     2026-11-20-002-def  Fix the status of this spec  (pending · 1/1)',
    }, lines, 'the picker\'s lines')
    -- Every spec chant grades has chant's light on its line; the spec chant
    -- cannot read has none.
    local lights, out = chant_lights()
    H.ok(lights[REFINE_ID] == '🔴 Refine', 'chant lint --verbose grades ' .. REFINE_ID .. ' Refine:\n' .. out)
    local graded = 0
    for _, line in ipairs(lines) do
      local id = line:match('(%d%d%d%d%-%d%d%-%d%d%-%d%d%d%-%w+)')
      if lights[id] then
        graded = graded + 1
        H.ok(vim.endswith(line, ' · ' .. lights[id] .. ')'), ('%s: chant says %s:\n%s'):format(id, lights[id], line))
      else
        H.ok(not line:find('🟢', 1, true) and not line:find('🟡', 1, true) and not line:find('🔴', 1, true),
          id .. ' is not graded by chant, and has no light:\n' .. line)
      end
    end
    H.ok(graded >= 3, 'specs chant grades among the lines: ' .. graded .. '\n' .. table.concat(lines, '\n'))
  end },

  { 'the lens and the inlay hint of the spec graded Refine say why chant work refuses it, never "ready"', function()
    vim.api.nvim_set_current_buf(refine_buf)
    H.require_capability(client, 'codeLensProvider', 'code lenses')
    local titles = lens_titles(refine_buf)
    -- Work with a prompt passes no quality gate either: only Work anyway.
    H.eq({
      'pending · 0/12 · 🔴 Refine: complexity D (12 criteria) · refused: Work anyway skips the quality check',
      '▶ Work anyway',
    }, titles, 'the lens row of the spec graded Refine')
    H.require_capability(client, 'inlayHintProvider', 'inlay hints')
    local hints = H.request(refine_buf, 'textDocument/inlayHint', {
      textDocument = { uri = vim.uri_from_bufnr(refine_buf) },
      range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(refine_buf), character = 0 } },
    }) or {}
    local labels = vim.tbl_map(function(h)
      local label = h.label
      if type(label) == 'table' then
        label = table.concat(vim.tbl_map(function(p)
          return p.value
        end, label))
      end
      return { h.position.line, label }
    end, hints)
    H.eq({ { 2, 'refused: 🔴 Refine (Work anyway skips the quality check)' } }, labels,
      'the inlay hint after `status: pending`')
    for _, text in ipairs(vim.list_extend(vim.deepcopy(titles), vim.tbl_map(function(l)
      return l[2]
    end, labels))) do
      H.ok(not text:lower():match('%f[%a]ready%f[%A]'), 'never "ready": ' .. text)
    end
  end },

  { 'the "▶ Work with…" lens asks for the prompt (window/showMessageRequest, vim.ui.select); dismissed, nothing runs', function()
    work_buf = H.open('.chant/specs/' .. WORK_ID .. '.md')
    H.ready(work_buf)
    local titles = lens_titles(work_buf, function(t)
      return vim.list_contains(t, '▶ Work with…')
    end)
    H.ok(not vim.list_contains(titles, '▶ Work (research)'), 'no lens per prompt: ' .. vim.inspect(titles))
    local title_line = vim.lsp.codelens.get(work_buf)[1].range.start.line
    vim.api.nvim_win_set_cursor(0, { title_line + 1, 0 })
    local requests, before = #H.message_requests, answered
    -- Several lenses on the line: Neovim asks which; then the server asks
    -- for the prompt, dismissed.
    H.answer_select('▶ Work with…', false)
    vim.lsp.codelens.run()
    H.wait('the server to answer chant.workWith', function()
      return answered > before
    end)
    H.eq(requests + 1, #H.message_requests, 'one question from the server')
    local question = H.message_requests[#H.message_requests]
    local actions = vim.tbl_map(function(a)
      return a.title
    end, question.actions)
    H.ok(vim.list_contains(actions, 'research') and vim.list_contains(actions, 'standard'),
      'the project\'s prompts offered: ' .. vim.inspect(question))
    H.eq('select', H.prompts[#H.prompts].kind, 'asked with vim.ui.select')
    H.eq(actions, H.prompts[#H.prompts].items, 'vim.ui.select lists the server\'s actions')
    H.eq({}, H.chant_calls(), 'chant never ran')
  end },

  { 'a prompt picked, the spec is saved and chant works it with that prompt', function()
    vim.api.nvim_set_current_buf(work_buf)
    -- An unsaved change: the plugin saves the spec before the server is
    -- asked (chant works on the file; the server refuses a modified spec).
    vim.api.nvim_buf_set_lines(work_buf, 3, 3, false, { 'labels: [quality]' })
    H.ok(vim.bo[work_buf].modified, 'the spec buffer is modified')
    -- The lenses follow the title down a line.
    local title_line = vim.fn.index(vim.api.nvim_buf_get_lines(work_buf, 0, -1, false), '# ' .. WORK_TITLE)
    lens_titles(work_buf, function()
      local lens = vim.lsp.codelens.get(work_buf)[1]
      return lens and lens.range.start.line == title_line
    end)
    vim.api.nvim_win_set_cursor(0, { title_line + 1, 0 })
    H.answer_select('▶ Work with…', 'research')
    vim.lsp.codelens.run()
    H.wait('the spec buffer to show the finished work', function()
      return H.text(work_buf):find('status: completed', 1, true)
    end, 60000)
    H.runs_finished(client)
    local calls = H.chant_calls()
    H.eq({ { 'work', WORK_ID, '--no-watch', '--prompt=research' } }, calls, 'chant work --prompt research')
    -- The label reached chant (which writes it in its own YAML style).
    local spec = H.read(H.root .. '/.chant/specs/' .. WORK_ID .. '.md')
    H.ok(spec:find('\nstatus: completed\nlabels:\n- quality\n', 1, true), 'the change was saved before chant ran:\n' .. spec)
    -- chant gave the agent the research prompt, filled.
    local given = H.read(H.agent_dir .. '/prompts/' .. WORK_ID .. '.md') or ''
    H.ok(given:find('Summarise what', 1, true) and given:find(WORK_TITLE, 1, true) and not given:find('{{', 1, true),
      'the prompt the agent got:\n' .. given)
  end },

  { ':ChantSpecs shows no light once the work is done', function()
    local prompts = #H.prompts
    H.answer_select(false)
    vim.cmd('ChantSpecs')
    H.wait('the spec picker', function()
      return #H.prompts > prompts
    end)
    local lines = H.prompts[#H.prompts].items
    H.eq('completed      ' .. WORK_ID .. '  ' .. WORK_TITLE .. '  (completed · 2/2)', lines[#lines - 1],
      'the completed spec, before the unreadable one:\n' .. table.concat(lines, '\n'))
  end },
})
