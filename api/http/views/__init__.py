"""The HTML pages (home, the source reader, the playground, the favicon), rendered from templates/."""
