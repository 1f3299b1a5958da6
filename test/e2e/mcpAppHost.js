// A minimal MCP Apps host for the show_forecast view's end-to-end test, built on ext-apps' own
// host side (AppBridge, PostMessageTransport) and the official MCP client, bundled for Chromium
// by test/e2e/mcpApp.test.ts. It does what Claude does, in the order the ext-apps basic host does:
// calls the tool, reads its ui:// resource, renders it in a sandboxed iframe under a strict CSP,
// hands the view the tool input and result, and proxies the view's tool calls to the server.
// Everything it sees is kept in window.hostLog for the test.
import { AppBridge, PostMessageTransport, RESOURCE_MIME_TYPE, getToolUiResourceUri, isToolVisibilityAppOnly } from "@modelcontextprotocol/ext-apps/app-bridge";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

// What Claude's sandbox allows a view without declared domains: inline code, nothing fetched.
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'";

const log = { calls: [], contexts: [], sizes: [], modelTools: [], appOnlyTools: [], result: null, initialized: false, errors: [] };
window.hostLog = log;

async function open(mcpUrl, toolName, args, hostContext) {
  const client = new Client({ name: "mechafil-test-host", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const { tools } = await client.listTools();
  // What the model would see, and what only views may call.
  log.modelTools = tools.filter((t) => !isToolVisibilityAppOnly(t)).map((t) => t.name);
  log.appOnlyTools = tools.filter((t) => isToolVisibilityAppOnly(t)).map((t) => t.name);
  const tool = tools.find((t) => t.name === toolName);
  if (!tool) throw new Error(`no tool ${toolName}`);
  const uri = getToolUiResourceUri(tool);
  if (!uri) throw new Error(`${toolName} has no UI resource`);

  const resultPromise = client.callTool({ name: toolName, arguments: args });
  const resource = await client.readResource({ uri });
  const content = resource.contents[0];
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`unexpected MIME type ${content.mimeType}`);
  const html = content.text.replace("<head>", `<head><meta http-equiv="Content-Security-Policy" content="${CSP}">`);

  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.title = "MechaFil forecast (MCP App)";
  document.getElementById("app").append(iframe);

  const bridge = new AppBridge(
    null,
    { name: "mechafil-test-host", version: "1.0.0" },
    { serverTools: {}, updateModelContext: { text: {}, structuredContent: {} }, logging: {} },
    { hostContext: { theme: "light", displayMode: "inline", platform: "web", locale: "en-US", ...hostContext } },
  );
  bridge.oncalltool = async (params) => {
    const t0 = performance.now();
    const r = await client.callTool(params);
    log.calls.push({ name: params.name, arguments: params.arguments, ms: Math.round(performance.now() - t0), isError: !!r.isError });
    return r;
  };
  bridge.onupdatemodelcontext = async (params) => {
    log.contexts.push(params);
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    log.sizes.push(height);
    if (height !== undefined) iframe.style.height = `${height}px`;
  };
  bridge.onloggingmessage = (p) => log.errors.push(`view log: ${JSON.stringify(p)}`);
  const initialized = new Promise((resolve) => {
    bridge.oninitialized = () => {
      log.initialized = true;
      resolve();
    };
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: args });
  const result = await resultPromise;
  log.result = result;
  await bridge.sendToolResult(result);
  window.hostBridge = bridge;
}

window.openApp = (mcpUrl, toolName, args, hostContext) =>
  open(mcpUrl, toolName, args, hostContext).catch((e) => {
    log.errors.push(String(e && e.stack ? e.stack : e));
    throw e;
  });
