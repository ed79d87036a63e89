// An independent Connect client of the running server: @connectrpc/connect-node, with no generated
// code. It knows aigov only by the FileDescriptorSet it is given (the aigov.v1 files and their
// dependencies), from which @bufbuild/protobuf builds the services and messages at run time.
//
//   node connect-client.mjs <descriptor-set.binpb> <base URL>
//
// with the tokens in the environment: SIBLING (ai.decisions.evaluate), WS_ADMIN
// (workspace.ai_policy.manage), OPS (ops.controls.manage, audit.read). For each transport
// (HTTP/1.1 and HTTP/2 cleartext, JSON and binary) it runs the cookbook's calls on a workspace of
// its own, and prints one JSON line per call: {"transport", "workspace", "step", "response"} or
// {"transport", "workspace", "step", "error"}, the messages in protobuf's canonical JSON.
// ConnectNodeIT holds the lines to what the README says, and to the same calls over gRPC.
import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, fromJson, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";

const [descriptorSetPath, baseUrl] = process.argv.slice(2);
if (!descriptorSetPath || !baseUrl) {
  console.error("usage: node connect-client.mjs <descriptor-set.binpb> <base URL>");
  process.exit(2);
}
const tokens = {
  SIBLING: required("SIBLING"),
  WS_ADMIN: required("WS_ADMIN"),
  OPS: required("OPS"),
};
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)));

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

function service(name) {
  const found = registry.getService(name);
  if (!found) {
    throw new Error(`the descriptor set has no service ${name}`);
  }
  return found;
}

const services = {
  decisions: service("aigov.v1.DecisionService"),
  policies: service("aigov.v1.WorkspacePolicyService"),
  controls: service("aigov.v1.ExecutionControlService"),
  audit: service("aigov.v1.AuditService"),
};

function bearer(token) {
  return token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } };
}

/** One unary call: the request given as proto JSON, the answer (or the ConnectError) printed as a line. */
async function call(context, client, desc, methodName, token, json, step) {
  const method = desc.methods.find((m) => m.name === methodName);
  if (!method) {
    throw new Error(`${desc.typeName} has no method ${methodName}`);
  }
  const request = fromJson(method.input, json, { registry });
  const line = { transport: context.transport, workspace: context.workspace, step: step ?? methodName };
  try {
    const response = await client[method.localName](request, { ...bearer(token), timeoutMs: 30_000 });
    line.response = toJson(method.output, response, { registry });
  } catch (e) {
    if (!(e instanceof ConnectError)) {
      throw e;
    }
    line.error = {
      code: e.code,
      codeName: Code[e.code],
      message: e.rawMessage,
      // Decoded with the registry: the details' google.rpc.ErrorInfo, whose file the set carries.
      details: e.findDetails(registry).map((detail) => ({
        type: detail.$typeName,
        value: toJson(registry.getMessage(detail.$typeName), detail, { registry }),
      })),
      rawDetailTypes: e.details.map((detail) => detail.type ?? detail.desc?.typeName),
    };
  }
  console.log(JSON.stringify(line));
  return line;
}

async function exercise(httpVersion, useBinaryFormat) {
  // HTTP/2 through a session manager of our own, so that the run can say the session was HTTP/2
  // (cleartext with prior knowledge: node:http2 on an http:// URL).
  const sessionManager = httpVersion === "2" ? new Http2SessionManager(baseUrl) : undefined;
  const transport = createConnectTransport({ baseUrl, httpVersion, useBinaryFormat, sessionManager });
  const label = `http${httpVersion}-${useBinaryFormat ? "proto" : "json"}`;
  const context = { transport: label, workspace: `node-${label}` };
  const ws = context.workspace;
  const decisions = createClient(services.decisions, transport);
  const policies = createClient(services.policies, transport);
  const controls = createClient(services.controls, transport);
  const audit = createClient(services.audit, transport);
  const allow = {
    workspace_id: ws,
    use_case: "product_knowledge.answer_draft",
    provider_class: "PROVIDER_CLASS_LOCAL_PRIVATE",
    data_classifications: ["DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE"],
    source_family: "product_knowledge",
    actor: { id: "user-42", kind: "ACTOR_KIND_USER" },
    caller_surface: "help-panel",
  };
  const block = {
    workspace_id: ws,
    tenant_id: "contoso",
    use_case: "product_knowledge.answer_draft",
    provider_class: "PROVIDER_CLASS_LOCAL_PRIVATE",
    data_classifications: ["DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE", "DATA_CLASSIFICATION_PERSONAL_DATA"],
    source_family: "product_knowledge",
    actor: { id: "user-42", kind: "ACTOR_KIND_USER" },
  };
  const d = services.decisions;
  const p = services.policies;
  const c = services.controls;
  await call(context, decisions, d, "ListUseCases", tokens.SIBLING, {});
  await call(context, policies, p, "SetWorkspacePolicy", tokens.WS_ADMIN,
      { workspace_id: ws, policy_mode: "POLICY_MODE_PRIVATE_ONLY", reason: "pilot approved" });
  await call(context, policies, p, "GetWorkspacePolicy", tokens.WS_ADMIN, { workspace_id: ws });
  await call(context, decisions, d, "EvaluateAiRequest", tokens.SIBLING, allow, "allow");
  await call(context, decisions, d, "EvaluateAiRequest", tokens.SIBLING, block, "block");
  await call(context, controls, c, "SetExecutionControl", tokens.OPS,
      { control_key: "ai.execution", workspace_id: ws, state: "CONTROL_STATE_PAUSED", reason: "INC-1234: investigating" }, "pause");
  await call(context, controls, c, "GetExecutionControl", tokens.OPS, { control_key: "ai.execution", workspace_id: ws });
  await call(context, decisions, d, "EvaluateAiRequest", tokens.SIBLING, allow, "paused");
  await call(context, controls, c, "SetExecutionControl", tokens.OPS,
      { control_key: "ai.execution", workspace_id: ws, state: "CONTROL_STATE_ENABLED", reason: "INC-1234 resolved" }, "enable");
  await call(context, decisions, d, "EvaluateAiRequest", tokens.SIBLING, allow, "resumed");
  await call(context, audit, services.audit, "ListAuditEvents", tokens.OPS, { workspace_id: ws, page_size: 20 });
  // The errors: no token at all, and a request without its data_classifications.
  await call(context, decisions, d, "EvaluateAiRequest", undefined, allow, "unauthenticated");
  const { data_classifications: _omitted, ...invalid } = allow;
  await call(context, decisions, d, "EvaluateAiRequest", tokens.SIBLING, invalid, "invalid");
  console.log(JSON.stringify({ ...context, step: "session",
    response: { httpVersion, http2State: sessionManager?.state() ?? null } }));
  sessionManager?.abort();
}

for (const httpVersion of ["1.1", "2"]) {
  for (const useBinaryFormat of [false, true]) {
    await exercise(httpVersion, useBinaryFormat);
  }
}
// HTTP/2 sessions are kept open for reuse; the process has said all it had to say.
process.exit(0);
