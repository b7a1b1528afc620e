-- Drives `fwmigrate server` from Neovim's built-in LSP client (Neovim 0.7 or newer), headless.
--
-- Environment: FWMIGRATE_BIN (the binary), FWMIGRATE_FILE (a legacy script, edited in place),
-- FWMIGRATE_OUT (where the results go, as JSON). The script opens the file, waits for the
-- server's diagnostics, requests the `source.fixAll.fwmigrate` action, applies it, writes the
-- buffer, waits for the diagnostics of the fixed text and stops the server. The JSON holds the
-- diagnostics before and after, as the server published them (LSP positions).

local bin = assert(os.getenv("FWMIGRATE_BIN"), "FWMIGRATE_BIN")
local file = assert(os.getenv("FWMIGRATE_FILE"), "FWMIGRATE_FILE")
local out = assert(os.getenv("FWMIGRATE_OUT"), "FWMIGRATE_OUT")
local TIMEOUT = 60000

local function write_result(result)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function run()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local published = {}
  local client_id = vim.lsp.start_client({
    name = "fwmigrate",
    cmd = { bin, "server" },
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
    flags = { debounce_text_changes = 0 },
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
        table.insert(published, result)
        return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
      end,
    },
  })
  assert(client_id, "the client did not start")
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- The diagnostics of the buffer's current version (once the client has sent it), as the
  -- server last published them.
  local function current_diagnostics()
    local found, version
    assert(vim.wait(TIMEOUT, function()
      version = vim.lsp.util.buf_versions[bufnr]
      for _, p in ipairs(published) do
        if version ~= nil and p.version == version then
          found = p.diagnostics
        end
      end
      return found ~= nil
    end, 20), "no diagnostics for version " .. tostring(version))
    return found
  end

  local before = current_diagnostics()

  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } },
    context = { diagnostics = {}, only = { "source.fixAll.fwmigrate" } },
  }
  local response = client.request_sync("textDocument/codeAction", params, TIMEOUT, bufnr)
  assert(response and not response.err, "codeAction failed: " .. vim.inspect(response))
  local action = assert(response.result[1], "no fix-all action")
  assert(action.kind == "source.fixAll.fwmigrate", vim.inspect(action))
  if not action.edit then
    local resolved = client.request_sync("codeAction/resolve", action, TIMEOUT, bufnr)
    assert(resolved and not resolved.err, "resolve failed: " .. vim.inspect(resolved))
    action = resolved.result
  end
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  vim.cmd("write")

  local after = current_diagnostics()
  write_result({ before = before, after = after, encoding = client.offset_encoding })

  vim.lsp.stop_client(client_id)
  vim.wait(TIMEOUT, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, err = pcall(run)
if ok then
  vim.cmd("qall!")
else
  write_result({ error = tostring(err) })
  vim.cmd("cquit 1")
end
