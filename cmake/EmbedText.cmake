# cmake -DOUTPUT=file.inc -DINPUTS="a;b" -P EmbedText.cmake
# Writes the concatenated text of INPUTS as a sequence of C++ raw string
# literals (in chunks: some compilers cap one literal's length), to be used
# as `const char text[] = #include "file.inc";`.
set(text "")
foreach(input ${INPUTS})
  file(READ ${input} content)
  string(APPEND text "// ---- ${input}\n${content}\n")
endforeach()
string(LENGTH "${text}" length)
set(out "")
set(chunk 12000)
set(at 0)
while(at LESS length)
  string(SUBSTRING "${text}" ${at} ${chunk} piece)
  string(APPEND out "R\"clipembed(${piece})clipembed\"\n")
  math(EXPR at "${at} + ${chunk}")
endwhile()
file(WRITE ${OUTPUT}.tmp "${out}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
