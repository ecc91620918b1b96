"""What a person reads in each row of ``../shared/pages-dev`` (no text of it).

Recorded by reading every row: ``authors`` as the article's author list
(the CSV's author column where it names someone, else the names the text
signs), ``text_authors`` the names the text itself signs (what a page of it
gives), ``teaser`` whether the row is a front-page pointer, ``summary`` the
number of 提要 lines before the lead, and ``first``/``last`` hashes
(:func:`tests.pagegen.bounds`) of the body's first and last sentence once
bylines, labels, summary lines and photo credits are out of it.
Kicker, title and subtitle are the row's own columns.
"""

EXPECTED = {
    'xinmin': [
        dict(authors=[], text_authors=[],
             teaser=True, summary=0, first='6a1a85a72e5f', last='6a1a85a72e5f'),  # row 0
        dict(authors=['姚丽萍', '龙钢', '袁玮', '解敏', '江跃中', '严莺', '甘力心', '屠瑜', '潘高峰', '忻文轲', '杨洁', '刘一剑'], text_authors=['姚丽萍', '龙钢', '袁玮', '解敏', '江跃中', '严莺', '甘力心', '屠瑜', '潘高峰', '忻文轲', '杨洁', '刘一剑'],
             teaser=False, summary=0, first='06501e0f68c6', last='b84ca6f9fd13'),  # row 1
        dict(authors=['潘高峰'], text_authors=['潘高峰'],
             teaser=False, summary=0, first='b2ce23fe6a0a', last='dcd3a2dfd17a'),  # row 2
        dict(authors=['杨硕'], text_authors=['杨硕'],
             teaser=False, summary=0, first='537c5234b80e', last='31459c30b17f'),  # row 3
        dict(authors=['陆玮鑫'], text_authors=['陆玮鑫'],
             teaser=False, summary=0, first='cbc5506fea46', last='55dabba9f06d'),  # row 4
        dict(authors=[], text_authors=[],
             teaser=True, summary=0, first='6a1a85a72e5f', last='6a1a85a72e5f'),  # row 5
        dict(authors=[], text_authors=[],
             teaser=False, summary=0, first='1a1a1b0a48b4', last='af99c1efbf87'),  # row 6
        dict(authors=['左妍'], text_authors=['左妍'],
             teaser=False, summary=0, first='7378bd65a812', last='0fde530adbfb'),  # row 7
        dict(authors=['姚丽萍', '屠瑜', '朱文轩', '江跃中', '孙志勤', '郭剑烽'], text_authors=['姚丽萍', '屠瑜', '朱文轩', '江跃中', '孙志勤', '郭剑烽'],
             teaser=False, summary=0, first='00d56f0d64c7', last='1c212c7cdced'),  # row 8
        dict(authors=['金旻矣', '孙云', '杨洁', '宋宁华', '屠瑜'], text_authors=['金旻矣', '孙云', '杨洁', '宋宁华', '屠瑜'],
             teaser=False, summary=0, first='b8798d531ea8', last='6253c1512393'),  # row 9
        dict(authors=['王军', '姚储杰', '夏韵', '季晟祯', '马丹', '杨玉红', '徐驰', '杨硕', '陆常青'], text_authors=['王军', '姚储杰', '夏韵', '季晟祯', '马丹', '杨玉红', '徐驰', '杨硕', '陆常青'],
             teaser=False, summary=0, first='512608bf3be4', last='86e5e811a065'),  # row 10
        dict(authors=['关尹'], text_authors=['关尹'],
             teaser=False, summary=0, first='26d27b69b582', last='bddbb920a029'),  # row 11
        dict(authors=['王蔚'], text_authors=['王蔚'],
             teaser=False, summary=0, first='b597310a2d9d', last='c38c810690b6'),  # row 12
        dict(authors=['连建明'], text_authors=['连建明'],
             teaser=False, summary=0, first='eae46cd1e0da', last='0d9ff3744897'),  # row 13
        dict(authors=['应健中'], text_authors=['应健中'],
             teaser=False, summary=0, first='d11033a2f3ab', last='c778ac792cda'),  # row 14
        dict(authors=[], text_authors=[],
             teaser=False, summary=0, first='3f782743775c', last='69f9e2951745'),  # row 15
        dict(authors=['杨欢', '罗水元', '孙云', '江跃中', '刘诗寒', '屠瑜', '马桥', '鲁哲'], text_authors=['杨欢', '罗水元', '孙云', '江跃中', '刘诗寒', '屠瑜', '马桥', '鲁哲'],
             teaser=False, summary=0, first='fcce822cfc77', last='4f6900bf2366'),  # row 16
        dict(authors=['忻文轲', '潘高峰'], text_authors=['忻文轲', '潘高峰'],
             teaser=False, summary=0, first='4a40525e77fb', last='fb1f2df4a748'),  # row 17
        dict(authors=['林夏萨摩'], text_authors=['林夏萨摩'],
             teaser=False, summary=0, first='486350cc32e1', last='33bf0ca43477'),  # row 18
        dict(authors=['吴越'], text_authors=['吴越'],
             teaser=False, summary=0, first='a7d9b147e3e0', last='1d0e281e8d17'),  # row 19
        dict(authors=['朱光'], text_authors=['朱光'],
             teaser=False, summary=0, first='7319cb6971a4', last='c0877ff5442d'),  # row 20
        dict(authors=['许瓒'], text_authors=['许瓒'],
             teaser=False, summary=0, first='35a4ce327107', last='32946cb78479'),  # row 21
        dict(authors=['何建明'], text_authors=['何建明'],
             teaser=False, summary=0, first='8f0530a19003', last='bfd8e383cf6e'),  # row 22
    ],
    'cnki': [
        dict(authors=['陈华'], text_authors=[],
             teaser=False, summary=2, first='8e2c5e2372ef', last='737ed600038e'),  # row 0
        dict(authors=['陈抒怡'], text_authors=[],
             teaser=False, summary=1, first='c5ac5e905e1a', last='d5cecc88f3a5'),  # row 1
        dict(authors=['顾泳'], text_authors=[],
             teaser=False, summary=0, first='3e52e1292a75', last='adc1fb60b755'),  # row 2
        dict(authors=['毛锦伟', '栗思', '郑朕', '唐乙隽'], text_authors=[],
             teaser=False, summary=0, first='184883668d58', last='e4cb041ca909'),  # row 3
        dict(authors=['俱鹤飞'], text_authors=[],
             teaser=False, summary=0, first='dcf07a6b0490', last='2c30cd51d92f'),  # row 4
        dict(authors=['茅冠隽', '唐烨'], text_authors=[],
             teaser=False, summary=1, first='1893eaf7a7cf', last='29edb469bcc4'),  # row 5
        dict(authors=['顾泳'], text_authors=['顾泳'],
             teaser=False, summary=0, first='cf469c816987', last='187414538d1d'),  # row 6
        dict(authors=[], text_authors=[],
             teaser=False, summary=0, first='ce6016660f5c', last='2934e2fd02e1'),  # row 7
        dict(authors=[], text_authors=[],
             teaser=False, summary=4, first='2cd3e7f15da7', last='314bdd375c05'),  # row 8
        dict(authors=['孟群舒'], text_authors=['孟群舒'],
             teaser=False, summary=0, first='589a840695cb', last='1d58ec22676b'),  # row 9
        dict(authors=['张骏'], text_authors=[],
             teaser=False, summary=0, first='642db787a46f', last='43ead9700381'),  # row 10
        dict(authors=['中共上海市委', '上海市人民政府'], text_authors=['中共上海市委', '上海市人民政府'],
             teaser=False, summary=0, first='c1746e29863d', last='f3b4f51fb0d8'),  # row 11
        dict(authors=['陈抒怡'], text_authors=[],
             teaser=False, summary=0, first='31c7b7a0b20e', last='5ee12f055d1a'),  # row 12
        dict(authors=['孟群舒'], text_authors=['孟群舒'],
             teaser=False, summary=0, first='6d254071868a', last='e6a8589c86f3'),  # row 13
        dict(authors=[], text_authors=[],
             teaser=False, summary=3, first='a7e4ad69e697', last='179eacdeef6a'),  # row 14
    ],
}
