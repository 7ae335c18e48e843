// Rules a registry setting keeps as JSON (signing, scanning): a record this service did not write reads as none.
export function storedRules<T>(text: string): T[] {
  try {
    const rules = JSON.parse(text) as unknown;
    return Array.isArray(rules) ? (rules as T[]) : [];
  } catch {
    return [];
  }
}
