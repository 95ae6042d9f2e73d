# With GATEWATCH_SANITIZE every target is built with ASan + UBSan, and UB aborts.
if(GATEWATCH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
