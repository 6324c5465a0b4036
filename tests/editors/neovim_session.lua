-- Drives Neovim's own LSP client against `apilint server` (tests/test_server.py runs it headless when
-- `nvim` is installed): diagnostics, code actions, applying the quick fix, diagnostics cleared.
local out = {}
local result_file = vim.env.APILINT_RESULT
local function say(line) table.insert(out, line) end

local client
local ok, problem = pcall(function()
  vim.cmd("edit client.py")
  local buf = vim.api.nvim_get_current_buf()
  local config = { name = "apilint", cmd = { vim.env.APILINT_PYTHON, "-m", "apilint", "server" }, root_dir = vim.fn.getcwd() }
  local id
  if vim.lsp.start then
    id = vim.lsp.start(config, { bufnr = buf })
  else -- Neovim 0.7
    id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, id)
  end
  client = vim.lsp.get_client_by_id(id)

  vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    say(string.format("diagnostic %s %d:%d-%d:%d", d.code or "?", d.lnum, d.col, d.end_lnum, d.end_col))
  end

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 4, character = 11 }, ["end"] = { line = 4, character = 11 } },
    context = { diagnostics = {} },
  }
  local response = client.request_sync("textDocument/codeAction", params, 60000, buf)
  local actions = (response and response.result) or {}
  for _, action in ipairs(actions) do say("action " .. (action.kind or "") .. " " .. action.title) end

  if actions[1] and actions[1].edit then
    vim.lsp.util.apply_workspace_edit(actions[1].edit, "utf-16")
    say("fixed " .. vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1])
    local cleared = vim.wait(60000, function() return #vim.diagnostic.get(buf) == 0 end, 50)
    say("cleared " .. tostring(cleared))
  end

end)
if not ok then say("error " .. tostring(problem)) end

vim.fn.writefile(out, result_file)
if client then
  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 50)
end
vim.cmd("qa!")
