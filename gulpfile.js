// tsc does not copy assets: put the SVG icons next to the compiled files, where the
// `file:` icon paths in nodes and credentials resolve them.
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['icons/**/*.svg', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist')),
);
