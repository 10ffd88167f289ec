// Image Builder calls through the AWS SDK for JavaScript v3, one JSON line in, one JSON line out.
//
// In:  {"endpoint": URL, "region": R, "operation": "CreateComponent", "input": {...}}
// Out: {"status": 200, "output": {...}} (the SDK's parse, without $metadata), or
//      {"status": 404, "error": "ResourceNotFoundException", "message": "..."}, or
//      {"unknown": "Operation"} when this SDK has no command of that name.
// Lines are answered in order; the process ends when its input does.
import * as imagebuilder from "@aws-sdk/client-imagebuilder";
import readline from "node:readline";

const clients = new Map();

function client(endpoint, region) {
  const key = `${endpoint} ${region}`;
  if (!clients.has(key)) {
    clients.set(
      key,
      new imagebuilder.ImagebuilderClient({
        endpoint,
        region,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        maxAttempts: 1,
      }),
    );
  }
  return clients.get(key);
}

async function call({ endpoint, region, operation, input }) {
  const Command = imagebuilder[`${operation}Command`];
  if (typeof Command !== "function") {
    return { unknown: operation };
  }
  try {
    const { $metadata, ...output } = await client(endpoint, region).send(new Command(input));
    return { status: $metadata.httpStatusCode, output };
  } catch (error) {
    return { status: error.$metadata?.httpStatusCode ?? null, error: error.name, message: error.message };
  }
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line.trim()) {
    process.stdout.write(JSON.stringify(await call(JSON.parse(line))) + "\n");
  }
}
