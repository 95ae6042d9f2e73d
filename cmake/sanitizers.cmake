# With GATEWATCH_SANITIZE every target is built with ASan + UBSan, and UB aborts.
if(GATEWATCH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# With GATEWATCH_FUZZ (clang) everything is instrumented for libFuzzer's
# coverage and checked by ASan + UBSan; the fuzz targets link the fuzzer.
if(GATEWATCH_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
