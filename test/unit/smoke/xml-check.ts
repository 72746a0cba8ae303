/**
 * A small well-formedness check for the JUnit we write (no XML library is installed): every byte is
 * part of a tag, an attribute or text; tags nest; `&` only starts one of the five entities; `<` never
 * appears in text or attribute values. Returns the element tree for structural assertions.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos);/g;
const BARE_AMP = /&(?!(amp|lt|gt|quot|apos);)/;
const TOKEN = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
const ATTRIBUTE = /([\w:.-]+)="([^"<]*)"/g;

export function unescapeXml(text: string): string {
  const map: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(ENTITY, (_, name: string) => map[name] ?? "");
}

export function parseXml(xml: string): XmlElement {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!decl.test(xml)) throw new Error("missing XML declaration");
  const body = xml.replace(decl, "");
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(body);
    if (!m) throw new Error(`not well-formed at offset ${at}: ${JSON.stringify(body.slice(at, at + 40))}`);
    const [, closing, name, attrs, selfClosing, text] = m;
    const top = stack[stack.length - 1] as XmlElement;
    if (text !== undefined) {
      if (BARE_AMP.test(text)) throw new Error(`bare & in text at offset ${at}`);
      top.text += unescapeXml(text);
      continue;
    }
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}> at offset ${at}`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of (attrs ?? "").matchAll(ATTRIBUTE)) {
      if (BARE_AMP.test(value ?? "")) throw new Error(`bare & in attribute ${key} at offset ${at}`);
      attributes[key as string] = unescapeXml(value ?? "");
    }
    const element: XmlElement = { name: name as string, attributes, children: [], text: "" };
    top.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== "") throw new Error("expected exactly one root element");
  return elements[0] as XmlElement;
}
