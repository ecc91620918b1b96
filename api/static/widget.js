/*
 * <news-search> — the newsroom search as one element for any intranet page.
 *
 *   <script src="https://search.intranet/widget.js" defer></script>
 *   <news-search endpoint="https://search.intranet" per-page="5"></news-search>
 *
 * It calls the search API over CORS (the server must list the host page's
 * origin in NEWSEARCH_CORS_ORIGINS), renders inside a shadow root so neither
 * page's styles leak into the other, and builds every node with textContent:
 * article text is never parsed as HTML, only <mark> highlights are recreated.
 */
(function () {
  "use strict";
  if (window.customElements && customElements.get("news-search")) { return; }

  var STYLE = [
    ":host{all:initial;display:block;font-family:'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',system-ui,sans-serif;",
    "color:#1d2330;line-height:1.6;font-size:15px}",
    "form{display:flex;gap:0}",
    "input{flex:1;min-width:0;font:inherit;padding:.4rem .6rem;border:1px solid #b9c0cc;border-radius:.35rem 0 0 .35rem}",
    "button{font:inherit;padding:.4rem .9rem;border:1px solid #1a4fa3;background:#1a4fa3;color:#fff;border-radius:0 .35rem .35rem 0;cursor:pointer}",
    ".status{color:#5b6475;margin:.4rem 0;font-size:.9em}",
    ".status.error{color:#7a1c15}",
    "ol{list-style:none;margin:0;padding:0}",
    "li{padding:.55rem 0;border-bottom:1px solid #dfe3ea}",
    "a{color:#1a4fa3;font-weight:600;text-decoration:none}",
    "a:hover{text-decoration:underline}",
    ".meta{color:#5b6475;font-size:.85em}",
    ".snippet{margin:.15rem 0 0;word-break:break-word}",
    "mark{background:#fff1a8;color:inherit}",
    ".more{display:block;margin-top:.4rem;font-weight:400}"
  ].join("");

  function unescapeHtml(s) {
    return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
            .replace(/&#x27;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  }

  // The API's highlights are escaped text with <mark>…</mark>; rebuild them as nodes.
  function appendHighlighted(parent, html) {
    var target = parent;
    String(html || "").split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { target = document.createElement("mark"); parent.appendChild(target); }
      else if (part === "</mark>") { target = parent; }
      else if (part) { target.appendChild(document.createTextNode(unescapeHtml(part))); }
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  class NewsSearch extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) { return; }
      var root = this.attachShadow({ mode: "open" });
      var style = el("style"); style.textContent = STYLE; root.appendChild(style);
      var form = el("form"); form.setAttribute("role", "search");
      this.input = el("input"); this.input.type = "search"; this.input.name = "q";
      this.input.placeholder = this.getAttribute("placeholder") || "搜索新闻";
      this.input.setAttribute("aria-label", "搜索新闻");
      var button = el("button", "", "搜索"); button.type = "submit";
      form.appendChild(this.input); form.appendChild(button);
      this.status = el("p", "status"); this.status.setAttribute("aria-live", "polite");
      this.list = el("ol");
      root.appendChild(form); root.appendChild(this.status); root.appendChild(this.list);
      var self = this;
      form.addEventListener("submit", function (event) { event.preventDefault(); self.search(self.input.value); });
      if (this.getAttribute("q")) { this.input.value = this.getAttribute("q"); this.search(this.input.value); }
    }

    endpoint() {
      return (this.getAttribute("endpoint") || "").replace(/\/+$/, "");
    }

    search(q) {
      q = (q || "").trim();
      this.list.textContent = "";
      if (!q) { this.setStatus("请输入搜索词。"); return; }
      var perPage = parseInt(this.getAttribute("per-page") || "5", 10) || 5;
      var url = this.endpoint() + "/api/search?" + new URLSearchParams({ q: q, per_page: String(perPage), fragments: "1" });
      var self = this;
      this.setStatus("正在搜索…");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (resp) {
          return resp.json().catch(function () { return null; }).then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (r) {
          if (!r.ok || !r.body) {
            var msg = r.body && r.body.error && r.body.error.message;
            self.setStatus(msg ? "查询有误：" + msg : "检索服务暂时不可用。", true);
            return;
          }
          self.render(q, r.body);
        })
        .catch(function () { self.setStatus("无法连接检索服务。", true); });
    }

    setStatus(text, isError) {
      this.status.textContent = text;
      this.status.className = isError ? "status error" : "status";
    }

    render(q, data) {
      this.setStatus(data.total ? "共 " + data.total + " 条结果" : "没有找到结果。");
      var base = this.endpoint();
      var self = this;
      (data.hits || []).forEach(function (hit) {
        var li = el("li");
        var a = el("a");
        a.href = base + "/articles/" + encodeURIComponent(hit.id) + "?" + new URLSearchParams({ q: q });
        a.target = "_blank"; a.rel = "noopener noreferrer";
        appendHighlighted(a, hit.highlights && hit.highlights.title);
        li.appendChild(a);
        li.appendChild(el("div", "meta", [hit.date, hit.source, hit.author].filter(Boolean).join(" · ")));
        var p = el("p", "snippet");
        ((hit.highlights && hit.highlights.body) || []).forEach(function (frag, i) {
          if (i) { p.appendChild(document.createTextNode(" … ")); }
          appendHighlighted(p, frag);
        });
        li.appendChild(p);
        self.list.appendChild(li);
      });
      if (data.total > (data.hits || []).length) {
        var more = el("a", "more", "在检索页查看全部结果 →");
        more.href = base + "/?" + new URLSearchParams({ q: q });
        more.target = "_blank"; more.rel = "noopener noreferrer";
        this.list.appendChild(more);
      }
    }
  }

  customElements.define("news-search", NewsSearch);
})();
