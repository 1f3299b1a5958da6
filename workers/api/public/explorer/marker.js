// The charts' day markers: the dataset's current date (history shaded, a dashed line, "history" and
// "forecast" on either side of it) and FIP-0118's activation (a dotted accent line, "FIP-0118"). One source for the explorer's charts (charts.js) and the MCP
// App's forecast view, whose build (workers/mcp/src/app/build.mjs) inlines this file.
// Colours: the page's CSS custom properties --marker and --marker-shade when it sets them (the
// MCP view follows the host's light or dark theme), else the explorer's.

const SECONDS_PER_DAY = 86_400;

/**
 * A uPlot plugin drawing a marker at getDay() (days since 1970-01-01; null: none): `"current"`
 * (the default) the current date's, `"activation"` FIP-0118's activation (--accent).
 */
export function markerPlugin(getDay, kind = "current") {
  const activation = kind === "activation";
  return {
    hooks: {
      draw: [
        (u) => {
          const day = getDay();
          if (day === null) return;
          const x = Math.round(u.valToPos(day * SECONDS_PER_DAY, "x", true));
          const { left, top, width, height } = u.bbox;
          if (x < left || x > left + width) return;
          const ctx = u.ctx;
          const dpr = uPlot.pxRatio;
          const css = getComputedStyle(document.documentElement);
          const color = activation ? css.getPropertyValue("--accent").trim() || "#1f5fbf" : css.getPropertyValue("--marker").trim() || "#3b3f46";
          ctx.save();
          if (!activation) {
            ctx.fillStyle = css.getPropertyValue("--marker-shade").trim() || "rgba(100, 110, 130, 0.08)";
            ctx.fillRect(left, top, x - left, height);
          }
          ctx.strokeStyle = color;
          ctx.lineWidth = 1.5 * dpr;
          ctx.setLineDash(activation ? [2 * dpr, 3 * dpr] : [5 * dpr, 4 * dpr]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = color;
          ctx.font = `${11 * dpr}px system-ui, sans-serif`;
          if (activation) {
            // Half-way up: the streams and shares start at the top (the miner's) and the bottom (service, burnt).
            ctx.textAlign = x + 70 * dpr > left + width ? "right" : "left";
            ctx.fillText("FIP-0118", ctx.textAlign === "right" ? x - 4 * dpr : x + 4 * dpr, top + height / 2);
          } else {
            ctx.textAlign = "right";
            if (x - left > 60 * dpr) ctx.fillText("history", x - 4 * dpr, top + 13 * dpr);
            ctx.textAlign = "left";
            ctx.fillText("forecast", x + 4 * dpr, top + 13 * dpr);
          }
          ctx.restore();
        },
      ],
    },
  };
}
