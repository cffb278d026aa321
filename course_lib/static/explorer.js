/* course_lib explorer: the controls of an interactive figure, and the changing parts drawn over its background.
 *
 * Every number is computed by course_lib in Python. For each combination of the controls it
 * sends "marks": polylines (axis fractions packed as base64 uint16 pairs), texts, or a whole
 * image (the fallback for figures that are not lines, points and text). This script draws the
 * marks as SVG over the background picture, which matplotlib drew once. One file, no library,
 * no network; the website runs it inline, and a live Jupyter kernel runs it through anywidget.
 */
var CourseExplorer = (function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var LOW = -0.5, SPAN = 2.0;           // axis fractions kept in [-0.5, 1.5], see scene.encode_polyline

  function decode(text) {
    var bytes = atob(text), n = bytes.length / 2, out = new Array(n);
    for (var i = 0; i < n; i++) {
      out[i] = ((bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8)) / 65535) * SPAN + LOW;
    }
    return out;                          // u0, v0, u1, v1, ...
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function fmt(x) { return (Math.round(x * 100) / 100).toString(); }

  function markerPath(m, x, y, r) {
    var s = r * 0.9;
    switch (m) {
      case "s": return "M" + fmt(x - s) + " " + fmt(y - s) + "h" + fmt(2 * s) + "v" + fmt(2 * s) + "h" + fmt(-2 * s) + "z";
      case "^": return "M" + fmt(x) + " " + fmt(y - r) + "L" + fmt(x + r) + " " + fmt(y + 0.8 * r) + "L" + fmt(x - r) + " " + fmt(y + 0.8 * r) + "z";
      case "v": return "M" + fmt(x) + " " + fmt(y + r) + "L" + fmt(x + r) + " " + fmt(y - 0.8 * r) + "L" + fmt(x - r) + " " + fmt(y - 0.8 * r) + "z";
      case "D": return "M" + fmt(x) + " " + fmt(y - r) + "L" + fmt(x + r) + " " + fmt(y) + "L" + fmt(x) + " " + fmt(y + r) + "L" + fmt(x - r) + " " + fmt(y) + "z";
      case "*": {
        var d = "";
        for (var k = 0; k < 10; k++) {
          var a = Math.PI / 2 + k * Math.PI / 5, rr = k % 2 ? r * 0.45 : r;
          d += (k ? "L" : "M") + fmt(x + rr * Math.cos(a)) + " " + fmt(y - rr * Math.sin(a));
        }
        return d + "z";
      }
      case "X": case "P": case "x": case "+": {
        var t = 0.3 * r;
        if (m === "P" || m === "+") {
          return "M" + fmt(x - t) + " " + fmt(y - r) + "h" + fmt(2 * t) + "v" + fmt(r - t) + "h" + fmt(r - t) + "v" + fmt(2 * t) + "h" + fmt(t - r) + "v" + fmt(r - t) + "h" + fmt(-2 * t) + "v" + fmt(t - r) + "h" + fmt(t - r) + "v" + fmt(-2 * t) + "h" + fmt(r - t) + "z";
        }
        return "M" + fmt(x - r) + " " + fmt(y - r) + "L" + fmt(x + r) + " " + fmt(y + r) + "M" + fmt(x - r) + " " + fmt(y + r) + "L" + fmt(x + r) + " " + fmt(y - r);
      }
      default: return "M" + fmt(x - r) + " " + fmt(y) + "a" + fmt(r) + " " + fmt(r) + " 0 1 0 " + fmt(2 * r) + " 0a" + fmt(r) + " " + fmt(r) + " 0 1 0 " + fmt(-2 * r) + " 0z";
    }
  }

  var CSS = [
    ".course-explorer{margin:.5em 0 1em;padding:.6em .8em;border-radius:6px;",
    "background:var(--pst-color-surface,#f6f6f6);color:var(--pst-color-text-base,#222)}",
    ".course-explorer-controls{display:flex;flex-wrap:wrap;gap:.2em 1.4em;margin-bottom:.4em}",
    ".course-explorer-control{display:flex;align-items:center;gap:.6em;flex:1 1 16em;min-width:0;margin:0;padding:0;border:0}",
    ".course-explorer-control>span,.course-explorer-control>legend{white-space:nowrap;float:left;padding:0;margin:0;font-size:inherit}",
    ".course-explorer-control input[type=range]{flex:1 1 8em;min-width:6em;min-height:2.75em;margin:0;accent-color:#0072B2}",
    ".course-explorer-control output{font-variant-numeric:tabular-nums;min-width:3.5em}",
    ".course-explorer-choice{flex-wrap:wrap;row-gap:0}",
    ".course-explorer-choice label{display:inline-flex;align-items:center;gap:.3em;min-height:2.75em;margin-right:.9em;cursor:pointer}",
    ".course-explorer-choice input{width:1.2em;height:1.2em;margin:0}",
    ".course-explorer-figure{position:relative;max-width:100%;line-height:0}",
    ".course-explorer-figure img{display:block;width:100%;height:auto;background:#fff;border-radius:4px;margin:0}",
    ".course-explorer-figure svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden}",
    ".course-explorer-status{margin-top:.3em;min-height:1.2em;font-size:.9em}"
  ].join("");

  function injectStyle() {
    if (document.getElementById("course-explorer-style")) { return; }
    var style = document.createElement("style");
    style.id = "course-explorer-style";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  /* Build the controls and the figure inside `root` and keep them in step.
   * spec: size, panels, styles, controls, alt, [background]; request(position, draw) obtains the
   * marks of a combination (from the precomputed table, or from the kernel) and calls draw(marks). */
  function mount(root, spec, request) {
    injectStyle();
    // Ids (of clip paths, radio groups) unique in the whole page, which may hold several explorers,
    // each with its own copy of this script.
    window.courseExplorerCount = (window.courseExplorerCount || 0) + 1;
    var id = "course-explorer-" + window.courseExplorerCount;
    var W = spec.size[0], H = spec.size[1];
    var position = spec.controls.map(function (c) { return c.start; });

    var controls = document.createElement("div");
    controls.className = "course-explorer-controls";
    root.insertBefore(controls, root.firstChild);

    var figure = root.querySelector(".course-explorer-figure");
    if (!figure) {
      figure = document.createElement("div");
      figure.className = "course-explorer-figure";
      root.appendChild(figure);
    }
    var img = figure.querySelector("img");
    if (!img) {
      img = document.createElement("img");
      img.className = "course-explorer-background";
      if (spec.background) { img.src = spec.background; }
      figure.appendChild(img);
    }
    figure.style.width = (W * 4 / 3) + "px";         // 1 pt = 4/3 CSS px: the figure's natural size
    var svg = el("svg", {"class": "course-explorer-marks", viewBox: "0 0 " + W + " " + H, "aria-hidden": "true",
                         focusable: "false", preserveAspectRatio: "none"}, figure);
    var defs = el("defs", {}, svg);
    (spec.panels || []).forEach(function (b, i) {
      var clip = el("clipPath", {id: id + "-clip" + i}, defs);
      el("rect", {x: b[0], y: b[1], width: b[2], height: b[3]}, clip);
    });
    var layer = el("g", {}, svg);
    var status = document.createElement("div");
    status.className = "course-explorer-status";
    status.setAttribute("role", "status");
    root.appendChild(status);

    var readouts = spec.controls.map(function (c, i) {
      if (c.kind === "choice") {
        var set = document.createElement("fieldset");
        set.className = "course-explorer-control course-explorer-choice";
        var legend = document.createElement("legend");
        legend.textContent = c.label;
        set.appendChild(legend);
        c.labels.forEach(function (text, k) {
          var label = document.createElement("label");
          var radio = document.createElement("input");
          radio.type = "radio";
          radio.name = id + "-choice" + i;
          radio.value = String(k);
          radio.checked = k === c.start;
          radio.addEventListener("change", function () { if (radio.checked) { position[i] = k; update(); } });
          label.appendChild(radio);
          label.appendChild(document.createTextNode(text));
          set.appendChild(label);
        });
        controls.appendChild(set);
        return null;
      }
      var wrap = document.createElement("label");
      wrap.className = "course-explorer-control";
      var name = document.createElement("span");
      name.textContent = c.label;
      var input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = String(c.labels.length - 1);
      input.step = "1";
      input.value = String(c.start);
      var out = document.createElement("output");
      out.setAttribute("aria-hidden", "true");
      input.addEventListener("input", function () { position[i] = Number(input.value); update(); });
      wrap.appendChild(name);
      wrap.appendChild(input);
      wrap.appendChild(out);
      controls.appendChild(wrap);
      return {input: input, output: out};
    });

    function style(s) { return typeof s === "number" ? spec.styles[s] : s; }

    function toXY(b, u, v) { return [b[0] + u * b[2], b[1] + (1 - v) * b[3]]; }

    function drawLine(mark, group) {
      var s = style(mark.s), b = spec.panels[mark.p];
      mark.d.forEach(function (piece) {
        var q = decode(piece), n = q.length / 2, pts = new Array(n);
        for (var k = 0; k < n; k++) { pts[k] = toXY(b, q[2 * k], q[2 * k + 1]); }
        if (s.w > 0 && n > 1) {
          var d = "M" + pts.map(function (p) { return fmt(p[0]) + " " + fmt(p[1]); }).join("L");
          var attrs = {d: d, fill: "none", stroke: s.c, "stroke-width": s.w, "stroke-linejoin": "round",
                       "stroke-linecap": s.d ? "butt" : "round"};
          if (s.d) { attrs["stroke-dasharray"] = s.d.map(function (x) { return fmt(x * s.w); }).join(" "); }
          if (s.a !== undefined) { attrs["stroke-opacity"] = s.a; }
          el("path", attrs, group);
        }
        if (s.m) {
          var r = s.ms / 2, dm = "";
          pts.forEach(function (p) { dm += markerPath(s.m, p[0], p[1], r); });
          var filled = s.f !== "none" && s.m !== "x" && s.m !== "X";
          el("path", {d: dm, fill: filled ? s.f : "none", stroke: s.c, "stroke-width": 1, "class": "course-marker"}, group);
        }
      });
    }

    function drawText(mark, group) {
      var s = style(mark.s), b = spec.panels[mark.p], p = toXY(b, mark.x, mark.y);
      var anchor = {left: "start", center: "middle", right: "end"}[mark.ha || "left"];
      var pad = 3, fs = s.fs;
      var y = p[1] + {top: 0.8 * fs + pad, center: 0.35 * fs, bottom: -pad}[mark.va || "top"];
      var x = p[0] + {left: pad, center: 0, right: -pad}[mark.ha || "left"];
      var text = el("text", {x: fmt(x), y: fmt(y), "font-size": fs, fill: s.c, "text-anchor": anchor,
                             "font-family": "DejaVu Sans, Verdana, Arial, sans-serif"}, null);
      text.textContent = mark.t;
      group.appendChild(text);
      if (mark.b) {
        var box = text.getBBox();
        var rect = el("rect", {x: fmt(box.x - pad), y: fmt(box.y - 1), width: fmt(box.width + 2 * pad),
                               height: fmt(box.height + 2), fill: "#ffffff", "fill-opacity": 0.85}, null);
        group.insertBefore(rect, text);
      }
    }

    function draw(marks) {
      while (layer.firstChild) { layer.removeChild(layer.firstChild); }
      var notes = [];
      marks.forEach(function (mark) {
        if (mark.k === "I") { img.src = mark.src; return; }
        var group = el("g", {"clip-path": "url(#" + id + "-clip" + mark.p + ")"}, layer);
        if (mark.k === "L") { drawLine(mark, group); }
        else if (mark.k === "T") { drawText(mark, group); notes.push(mark.t); }
      });
      var values = spec.controls.map(function (c, i) { return c.label + " = " + c.labels[position[i]]; });
      img.alt = spec.alt + " (" + values.join(", ") + ")" + (notes.length ? ". " + notes.join(". ") + "." : "");
      status.textContent = notes.join("; ");
      root.setAttribute("data-position", position.join(","));
    }

    function update() {
      spec.controls.forEach(function (c, i) {
        var r = readouts[i];
        if (r) {
          r.output.textContent = c.labels[position[i]];
          r.input.setAttribute("aria-valuetext", c.labels[position[i]]);
        }
      });
      request(position.slice(), draw);
    }

    update();
    return {update: update, draw: draw, position: position};
  }

  /* The website: every combination's marks are in the page (a table of unique marks, and per
   * combination the indices of its marks, first control slowest). */
  function mountStatic(root) {
    var data = JSON.parse(root.querySelector("script.course-explorer-data").textContent);
    var shape = data.controls.map(function (c) { return c.labels.length; });
    return mount(root, data, function (position, draw) {
      var index = 0;
      position.forEach(function (k, i) { index = index * shape[i] + k; });
      draw(data.frames[index].map(function (m) { return data.marks[m]; }));
    });
  }

  /* A live kernel (anywidget): the kernel computes the marks of the chosen combination. */
  function mountLive(model, el) {
    var root = document.createElement("div");
    root.className = "course-explorer";
    el.appendChild(root);
    var pending = null;
    var view = mount(root, model.get("spec"), function (position, draw) {
      pending = draw;
      model.set("position", position);
      model.save_changes();
    });
    var redraw = function () { view.draw(model.get("marks")); };
    model.on("change:marks", redraw);
    redraw();
    return function () { model.off("change:marks", redraw); };
  }

  return {mount: mount, mountStatic: mountStatic, mountLive: mountLive, decode: decode};
})();
