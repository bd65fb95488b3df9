// The inline stylesheet of crosswire.html: readable on screen, clean in print.

enum HTMLStyle {
    static let css = """
        :root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9;
          --warn:#9a6700; --warn-bg:#fff8c5; --skip:#57606a; --skip-bg:#eaeef2;
          --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --head:#f6f8fa;
          --inner:#54aeff; --over:#fb8f44; --bar:#0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff;
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
        h1 { font-size: 26px; margin: 0 0 4px; word-break: break-word; }
        h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        .sub { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
        code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; font-size: 13px; }
        code { background: var(--head); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; word-break: break-all; }
        .banner { display: flex; align-items: center; gap: 18px; padding: 16px 20px; border-radius: 10px;
          border: 1px solid; margin: 12px 0 8px; }
        .banner .big { font-size: 30px; font-weight: 700; letter-spacing: .04em; }
        .banner .icon { font-size: 34px; width: 52px; height: 52px; border-radius: 50%; display: grid;
          place-items: center; color: #fff; font-weight: 700; flex: none; }
        .banner .counts { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 4px; }
        .banner.pass { background: var(--pass-bg); border-color: var(--pass); } .banner.pass .icon { background: var(--pass); }
        .banner.fail { background: var(--fail-bg); border-color: var(--fail); } .banner.fail .icon { background: var(--fail); }
        .banner.warn { background: var(--warn-bg); border-color: var(--warn); } .banner.warn .icon { background: var(--warn); }
        .banner.skip { background: var(--skip-bg); border-color: var(--skip); } .banner.skip .icon { background: var(--skip); }
        .alert { background: var(--warn-bg); border: 1px solid var(--warn); border-left-width: 6px; border-radius: 6px;
          padding: 10px 14px; margin: 10px 0; }
        .pill { display: inline-block; min-width: 64px; padding: 1px 10px; border-radius: 999px; font-weight: 600;
          font-size: 13px; text-align: center; white-space: nowrap; border: 1px solid; }
        .pill.pass { color: var(--pass); background: var(--pass-bg); border-color: var(--pass); }
        .pill.fail { color: var(--fail); background: var(--fail-bg); border-color: var(--fail); }
        .pill.warn { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
        .pill.skip { color: var(--skip); background: var(--skip-bg); border-color: var(--line); }
        .pill.zero { opacity: .45; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 14px; }
        th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
        th { background: var(--head); font-weight: 600; font-size: 13px; color: var(--muted); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.wrap { word-break: break-word; }
        table.checks > tbody > tr > td:first-child { border-left: 5px solid transparent; }
        table.checks tr.fail > td:first-child { border-left-color: var(--fail); }
        table.checks tr.warn > td:first-child { border-left-color: var(--warn); }
        table.checks tr.pass > td:first-child { border-left-color: var(--pass); }
        table.checks tr.skip > td:first-child { border-left-color: var(--line); }
        table.checks tr.fail { background: #fffafa; }
        table.checks td.id { width: 250px; font-weight: 600; }
        table.checks td.status { width: 96px; }
        table.checks .title { display: block; color: var(--muted); font-size: 12px; font-weight: 400; line-height: 1.35;
          font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin-top: 2px; }
        table.checks td.evidence { width: 80px; }
        table.inner { font-size: 13px; margin: 6px 0; }
        table.inner th, table.inner td { padding: 3px 8px; }
        table.inner td.mono { overflow-wrap: anywhere; max-width: 40%; }
        table.inner td:last-child { min-width: 16em; }
        table.inner tr.capture th { text-align: left; font-weight: 400; overflow-wrap: anywhere; padding-top: 6px; }
        .hint { margin: 4px 0 2px; padding-left: 8px; border-left: 3px solid var(--muted); }
        .hint code { overflow-wrap: break-word; }
        details > summary { cursor: pointer; }
        details > summary:hover { color: var(--bar); }
        tr.fail details > summary { font-weight: 600; }
        details > summary::marker { color: var(--muted); }
        details[open] > summary { margin-bottom: 4px; }
        .detail-block { margin: 4px 0 8px; }
        .detail-block ul { margin: 2px 0; padding-left: 20px; }
        .label { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .muted { color: var(--muted); }
        .state-present { color: var(--pass); font-weight: 600; }
        .state-problem { color: var(--fail); font-weight: 600; }
        .charts { display: grid; grid-template-columns: 1fr; gap: 8px; }
        figure { margin: 8px 0 16px; }
        figcaption { color: var(--muted); font-size: 13px; margin-bottom: 6px; }
        svg { max-width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
        svg text { font-size: 12px; fill: var(--fg); }
        svg .axis { stroke: var(--line); }
        svg .legend { fill: var(--muted); }
        footer { margin-top: 36px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 10px; }
        @media print {
          body { font-size: 11pt; }
          main { max-width: none; padding: 0; }
          .banner, .pill, table.checks tr, .alert { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          h2 { break-after: avoid; }
          tr, figure { break-inside: avoid; }
          details > summary { color: var(--fg); }
        }
        """
}
