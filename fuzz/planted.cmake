# SPDX-License-Identifier: MIT
# build/mmspec-planted: a second mmspec whose model carries known bugs, chosen
# at run time with MMSPEC_PLANT=mprotect-nosplit,missed-cow,mmap-errno-order
# (oracle.h ORACLE_PLANT_*). It exists to prove that campaigns find,
# minimize and reproduce model bugs: the ctests below run one short campaign
# per planted bug. The real mmspec never contains them: the bugs are compiled
# only here, with -DMMSPEC_PLANT_BUGS, from the same sources.
#
# MMSPEC_PLANT_BUGS=OFF leaves the planted binary and its tests out.
option(MMSPEC_PLANT_BUGS "Build build/mmspec-planted (a model with planted bugs) and its ctests" ON)
if(MMSPEC_PLANT_BUGS)
  set(planted_sources ${CMAKE_SOURCE_DIR}/harness/mmspec.c ${CMAKE_SOURCE_DIR}/harness/mmspec_help.c ${FUZZ_LIB_SOURCES})
  foreach(lib oracle harness reports)
    get_target_property(srcs ${lib} SOURCES)
    get_target_property(dir ${lib} SOURCE_DIR)
    foreach(s ${srcs})
      list(APPEND planted_sources ${dir}/${s})
    endforeach()
  endforeach()
  add_executable(mmspec-planted ${planted_sources})
  target_compile_definitions(mmspec-planted PRIVATE MMSPEC_PLANT_BUGS=1)
  target_include_directories(mmspec-planted PRIVATE
    ${CMAKE_SOURCE_DIR}/oracle ${CMAKE_SOURCE_DIR}/harness ${CMAKE_SOURCE_DIR}/reports
    ${CMAKE_CURRENT_SOURCE_DIR})
  find_package(SQLite3 REQUIRED)
  target_link_libraries(mmspec-planted PRIVATE SQLite::SQLite3)
  set_target_properties(mmspec-planted PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

  # One campaign per planted bug: it must find the bug (a signature of the
  # expected shape), minimize it to at most 4 steps, and give a C reproducer
  # that builds with cc and prints DIVERGES. Seeds: the suites.
  foreach(plant mprotect-nosplit missed-cow mmap-errno-order)
    add_test(NAME planted_${plant}
      COMMAND ${CMAKE_SOURCE_DIR}/tests/plant_test.sh $<TARGET_FILE:mmspec-planted> ${CMAKE_SOURCE_DIR} ${plant})
    set_tests_properties(planted_${plant} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
  endforeach()
endif()

# What a campaign records when it stops in the middle of a minimization,
# and programs that destroy the executor's memory as SKIPs (root only).
if(MMSPEC_PLANT_BUGS)
  add_test(NAME fuzz_stop
    COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz_stop_test.sh $<TARGET_FILE:mmspec-planted> ${CMAKE_SOURCE_DIR})
  set_tests_properties(fuzz_stop PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()
