import AdvReport
import Testing

@Suite("Markup escaping")
struct EscapeTests {
  @Test("the five markup characters become entities and controls XML forbids become U+FFFD; tabs and newlines stay")
  func entities() {
    #expect(xmlEscaped("a<b & \"c\" 'd'>\t\n\u{1}\u{FFFE}é") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\t\n\u{FFFD}\u{FFFD}é")
  }

  @Test("the HTML report escapes the script's name and text as its SVGs do")
  func htmlPage() {
    let report = Report(version: "0.1.0", script: "it's <mine>.adv", scriptHash: "")
    let page = renderHTML(report, script: "print \"a & b\"", figures: [])
    #expect(page.contains("<title>adv report: it&apos;s &lt;mine&gt;.adv</title>"))
    #expect(page.contains("<pre>print &quot;a &amp; b&quot;</pre>"))
  }
}
