// Component tests render markup, not styles: every stylesheet import is this empty module.
module.exports = {};
