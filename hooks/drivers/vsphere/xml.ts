/**
 * A small namespace-aware XML reader for SOAP responses, and the escaping used to write requests.
 * It handles what vim25 servers send: elements, attributes, namespace declarations (default and
 * prefixed), text, CDATA, entity and character references, comments, processing instructions.
 * It does not validate and never fetches anything (no DTDs, no external entities).
 */

export const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  vim25: 'urn:vim25',
} as const;

export class XmlSyntaxError extends Error {}

/** A qualified name resolved against the namespaces in scope. */
export interface QName {
  readonly ns: string;
  readonly local: string;
}

export class XmlElement {
  readonly children: XmlElement[] = [];
  text = '';
  constructor(
    readonly ns: string,
    readonly local: string,
    /** Attributes by local name (vim25 attributes carry no namespace except xsi:type). */
    readonly attributes: ReadonlyMap<string, string>,
    /** `xsi:type` resolved to a namespace and a local name, when present. */
    readonly xsiType: QName | undefined,
  ) {}

  /** The first child with this local name (and namespace, when given). */
  child(local: string, ns?: string): XmlElement | undefined {
    return this.children.find((c) => c.local === local && (ns === undefined || c.ns === ns));
  }

  all(local: string, ns?: string): XmlElement[] {
    return this.children.filter((c) => c.local === local && (ns === undefined || c.ns === ns));
  }

  /** Text of the named child, or undefined when there is no such child. */
  childText(local: string): string | undefined {
    return this.child(local)?.text;
  }

  /** Depth-first search for the first descendant (self excluded) with this local name. */
  find(local: string, ns?: string): XmlElement | undefined {
    for (const c of this.children) {
      if (c.local === local && (ns === undefined || c.ns === ns)) return c;
      const deeper = c.find(local, ns);
      if (deeper) return deeper;
    }
    return undefined;
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return value;
  });
}

function isNamespaceDeclaration(attribute: string): boolean {
  return attribute === 'xmlns' || attribute.startsWith('xmlns:');
}

interface Frame {
  element: XmlElement;
  qname: string;
  scope: Map<string, string>;
}

/** Parses a document and returns its root element. Throws `XmlSyntaxError` on malformed input. */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  let root: XmlElement | undefined;
  const stack: Frame[] = [];
  const rootScope = new Map<string, string>([['xml', 'http://www.w3.org/XML/1998/namespace']]);

  const fail = (why: string): never => {
    throw new XmlSyntaxError(`${why} at offset ${pos}`);
  };
  const skipPast = (terminator: string): string => {
    const end = source.indexOf(terminator, pos);
    if (end < 0) fail(`missing ${terminator}`);
    const content = source.slice(pos, end);
    pos = end + terminator.length;
    return content;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source[pos])) pos++;
  };
  const appendText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top) top.element.text += text;
    else if (text.trim()) fail('text outside the root element');
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    if (lt < 0) {
      appendText(decodeEntities(source.slice(pos)));
      break;
    }
    if (lt > pos) appendText(decodeEntities(source.slice(pos, lt)));
    pos = lt;
    if (source.startsWith('<?', pos)) {
      pos += 2;
      skipPast('?>');
    } else if (source.startsWith('<!--', pos)) {
      pos += 4;
      skipPast('-->');
    } else if (source.startsWith('<![CDATA[', pos)) {
      pos += 9;
      appendText(skipPast(']]>'));
    } else if (source.startsWith('<!', pos)) {
      fail('document type declarations are not accepted');
    } else if (source.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== '>') fail(`malformed end tag </${name}`);
      pos++;
      const top = stack.pop();
      if (!top || top.qname !== name) fail(`end tag </${name}> does not match <${top?.qname ?? '(none)'}>`);
    } else {
      pos++;
      const qname = readName();
      const rawAttributes: [string, string][] = [];
      for (;;) {
        skipSpace();
        if (source.startsWith('/>', pos) || source[pos] === '>') break;
        const name = readName();
        skipSpace();
        if (source[pos] !== '=') fail(`attribute ${name} without a value`);
        pos++;
        skipSpace();
        const quote = source[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${name} value must be quoted`);
        pos++;
        rawAttributes.push([name, decodeEntities(skipPast(quote))]);
      }
      const selfClosing = source.startsWith('/>', pos);
      pos += selfClosing ? 2 : 1;

      // Scopes are never changed once built, so an element that declares nothing shares its parent's.
      const parentScope = stack[stack.length - 1]?.scope ?? rootScope;
      const declares = rawAttributes.some(([name]) => isNamespaceDeclaration(name));
      const scope = declares ? new Map(parentScope) : parentScope;
      if (declares) {
        for (const [name, value] of rawAttributes) {
          if (name === 'xmlns') scope.set('', value);
          else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
        }
      }
      const resolve = (prefixed: string, useDefault: boolean): QName => {
        const colon = prefixed.indexOf(':');
        const prefix = colon < 0 ? '' : prefixed.slice(0, colon);
        const local = colon < 0 ? prefixed : prefixed.slice(colon + 1);
        if (prefix === '' && !useDefault) return { ns: '', local };
        const ns = scope.get(prefix);
        if (ns === undefined && prefix !== '') fail(`undeclared namespace prefix ${prefix}`);
        return { ns: ns ?? '', local };
      };
      const attributes = new Map<string, string>();
      let xsiType: QName | undefined;
      for (const [name, value] of rawAttributes) {
        if (isNamespaceDeclaration(name)) continue;
        const attr = resolve(name, false);
        if (attr.ns === NS.xsi && attr.local === 'type') xsiType = resolve(value, true);
        else attributes.set(attr.local, value);
      }
      const { ns, local } = resolve(qname, true);
      const element = new XmlElement(ns, local, attributes, xsiType);
      const parent = stack[stack.length - 1];
      if (parent) parent.element.children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (!selfClosing) stack.push({ element, qname, scope });
    }
  }
  if (stack.length) fail(`unclosed element <${stack[stack.length - 1].qname}>`);
  if (!root) return fail('no root element');
  return root;
}

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}
