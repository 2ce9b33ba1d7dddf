// Compares a ccusage report with ours: tokens and every other value exactly, costs within a
// relative tolerance (both tools sum floats, in different orders).
/** Cost is a float sum in both tools; 0.1 % is the contract, 1e-9 is what we actually hold. */
const COST_TOLERANCE = 1e-9;
const COST_KEYS = new Set(["cost", "totalCost", "costUSD", "costPerHour"]);

/** Every difference between two JSON values, as "path: ccusage vs ours" lines (empty = equal). */
export function differences(oracle: unknown, ours: unknown, path = "$", out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof oracle === "number" && typeof ours === "number") {
    const key = path.slice(path.lastIndexOf(".") + 1);
    if (COST_KEYS.has(key)) {
      const scale = Math.max(Math.abs(oracle), Math.abs(ours), 1e-12);
      if (Math.abs(oracle - ours) / scale > COST_TOLERANCE && Math.abs(oracle - ours) > 1e-12) out.push(`${path}: ${oracle} vs ${ours}`);
    } else if (oracle !== ours) out.push(`${path}: ${oracle} vs ${ours}`);
    return out;
  }
  if (Array.isArray(oracle) && Array.isArray(ours)) {
    if (oracle.length !== ours.length) out.push(`${path}: length ${oracle.length} vs ${ours.length}`);
    for (let i = 0; i < Math.min(oracle.length, ours.length); i++) differences(oracle[i], ours[i], `${path}[${i}]`, out);
    return out;
  }
  if (oracle !== null && ours !== null && typeof oracle === "object" && typeof ours === "object") {
    const a = oracle as Record<string, unknown>;
    const b = ours as Record<string, unknown>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in b)) out.push(`${path}.${k}: missing in ours`);
      else if (!(k in a)) out.push(`${path}.${k}: not in ccusage`);
      else differences(a[k], b[k], `${path}.${k}`, out);
    }
    return out;
  }
  if (oracle !== ours) out.push(`${path}: ${JSON.stringify(oracle)} vs ${JSON.stringify(ours)}`);
  return out;
}
