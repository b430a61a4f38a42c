// contrastRatio(one, other): the WCAG contrast ratio (1 to 21) of two six-digit hex colours
// ("0b5cad"), as embed/widgets.py's contrast() reckons it on the server. Written once for the
// staff Embed page (staff-embed.js) and the widgets (/embed.js is served with this file in
// front of embed.js, in one block, so nothing of it reaches the host page's globals).
const contrastRatio = (() => {
  const luminance = (hex) => {
    const [r, g, b] = [0, 2, 4]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return (one, other) => {
    const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
})();
