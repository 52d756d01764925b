// pre.js - runs inside the Emscripten module before main: where the program
// finds the files of convstep.data (see app/meson.build's --preload-file).
Module['preRun'] = [].concat(Module['preRun'] || [], function () {
  ENV['CONVSTEP_ASSETS'] = '/assets';
  ENV['CONVSTEP_LESSONS'] = '/lessons';
});
