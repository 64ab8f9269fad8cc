import { escapeXml, NS, parseXml, XmlSyntaxError } from '../../hooks/drivers/vsphere/xml';

describe('the SOAP XML reader', () => {
  it('resolves element namespaces from default and prefixed declarations', () => {
    const root = parseXml(`<s:Envelope xmlns:s="${NS.soapenv}"><s:Body><R xmlns="urn:vim25"><returnval/></R></s:Body></s:Envelope>`);
    expect(root).toMatchObject({ ns: NS.soapenv, local: 'Envelope' });
    expect(root.child('Body', NS.soapenv)?.child('R', NS.vim25)?.child('returnval')?.ns).toBe(NS.vim25);
  });

  it('tells elements with the same local name apart by namespace', () => {
    const root = parseXml('<a xmlns:x="urn:x" xmlns:y="urn:y"><x:b>1</x:b><y:b>2</y:b></a>');
    expect(root.child('b', 'urn:y')?.text).toBe('2');
  });

  it('resolves xsi:type against the namespaces in scope, whatever the prefix', () => {
    const root = parseXml('<v xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:q="urn:vim25" i:type="q:ArrayOfOptionValue"/>');
    expect(root.xsiType).toEqual({ ns: NS.vim25, local: 'ArrayOfOptionValue' });
  });

  it('decodes entity and character references in text and attributes', () => {
    const root = parseXml('<a t="&quot;x&quot;">&lt;b&gt; &amp; &#233;&#x41;</a>');
    expect(root.text).toBe('<b> & éA');
    expect(root.attributes.get('t')).toBe('"x"');
  });

  it('keeps CDATA verbatim and skips comments and processing instructions', () => {
    expect(parseXml('<?xml version="1.0"?><!-- c --><a><![CDATA[<&>]]><!-- d --></a>').text).toBe('<&>');
  });

  it('round-trips escaped text', () => {
    const text = `<a b="c"> & 'd'`;
    expect(parseXml(`<v>${escapeXml(text)}</v>`).text).toBe(text);
  });

  it.each([
    ['a mismatched end tag', '<a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['an undeclared prefix', '<x:a/>'],
    ['a document type declaration', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['two root elements', '<a/><b/>'],
  ])('rejects %s', (_, text) => {
    expect(() => parseXml(text)).toThrow(XmlSyntaxError);
  });
});
