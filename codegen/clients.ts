import { FetchingJSONSchemaStore, InputData, JSONSchemaInput, quicktype } from "quicktype-core";

export interface GeneratedFile {
  /** path relative to the repository root, with / separators */
  path: string;
  content: string;
}

interface ClientTarget {
  lang: "typescript" | "python" | "go";
  file: string;
  comment: string;
  rendererOptions: Record<string, string | boolean>;
}

// Three common consumers of /usage: a web page (TypeScript), a Raspberry Pi or desktop script
// (Python), a small daemon or CLI (Go, standard library only).
const TARGETS: readonly ClientTarget[] = [
  { lang: "typescript", file: "docs/clients/usage.ts", comment: "//", rendererOptions: { "prefer-unions": true } },
  { lang: "python", file: "docs/clients/usage.py", comment: "#", rendererOptions: { "python-version": "3.7" } },
  { lang: "go", file: "docs/clients/usage.go", comment: "//", rendererOptions: { package: "usage" } },
];

/** Typed client models for `schemaJson`, one file per target language. */
export async function renderClients(schemaJson: string, banner: string): Promise<GeneratedFile[]> {
  const out: GeneratedFile[] = [];
  for (const t of TARGETS) {
    const input = new JSONSchemaInput(new FetchingJSONSchemaStore());
    await input.addSource({ name: "UsageSnapshot", schema: schemaJson });
    const inputData = new InputData();
    inputData.addInput(input);
    const result = await quicktype({ inputData, lang: t.lang, rendererOptions: t.rendererOptions });
    const body = result.lines.join("\n").trimEnd();
    out.push({ path: t.file, content: `${t.comment} ${banner}\n\n${body}\n` });
  }
  return out;
}
