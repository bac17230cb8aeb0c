// MathJax 2.7, served from this site (copied from the jupyter-server-mathjax package): it typesets what
// pymdownx.arithmatex marks as math, \( ... \) inline and \[ ... \] displayed, with its own STIX web fonts.
window.MathJax = {
  config: ["TeX-AMS-MML_HTMLorMML-full.js"],
  tex2jax: {inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]], processEscapes: true,
            processClass: "arithmatex", ignoreClass: ".*"},
  "HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", imageFont: null},
  showMathMenu: false, messageStyle: "none"
};
